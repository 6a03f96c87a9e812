package io.pgrunbook.steps.pgbouncer;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ValueKind;
import io.pgrunbook.steps.checks.Threshold;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code check.pgbouncer_pool_usage}: server connections in use against the pool size, per pool
 * (SHOW POOLS against SHOW DATABASES' pool_size, else default_pool_size). Seed 002's "connection
 * pool efficiency": a pool that runs near its size has no room for a burst and soon queues clients.
 */
public final class PoolUsageCheck extends PgBouncerCheck {
    @Override
    protected String check() {
        return "pgbouncer_pool_usage";
    }

    @Override
    public String summary() {
        return "server connections in use (sv_active) as a share of each PgBouncer pool's size (SHOW POOLS, SHOW DATABASES)";
    }

    @Override
    public String recommendation() {
        return "The pool is nearly exhausted: shorten the transactions that hold server connections, or raise pool_size"
                + " (and keep the sum of pool sizes under the server's max_connections; see check.pgbouncer_config)";
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("used_pct", ValueKind.NUMBER, "%", 80L, 95L);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        List<Map<String, String>> databases = show(context, "DATABASES");
        Map<String, String> config = config(context);
        List<List<Object>> rows = new ArrayList<>();
        for (Map<String, String> p : pools(context)) {
            long size = poolSize(databases, config, p.get("database"));
            long active = number(p, "sv_active");
            Object pct = size > 0 ? Math.round(1000.0 * active / size) / 10.0 : null;
            rows.add(java.util.Arrays.asList(p.get("database"), p.get("user"), active, number(p, "sv_idle") + number(p, "sv_used"),
                    size, pct, number(p, "cl_waiting")));
        }
        return ResultTable.of(List.of("database", "user", "sv_active", "sv_idle", "pool_size", "used_pct", "cl_waiting"), rows);
    }
}
