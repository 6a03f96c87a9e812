package io.pgrunbook.steps.pgbouncer;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ValueKind;
import io.pgrunbook.steps.checks.Threshold;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code check.pgbouncer_waiting}: clients queued for a server connection, per pool (SHOW POOLS). */
public final class PoolWaitingCheck extends PgBouncerCheck {
    @Override
    protected String check() {
        return "pgbouncer_waiting";
    }

    @Override
    public String summary() {
        return "PgBouncer clients waiting for a server connection, per pool, with how long the oldest has waited (SHOW POOLS)";
    }

    @Override
    public String recommendation() {
        return "Every server connection of the pool is busy: find what holds them (long transactions, idle in transaction;"
                + " SHOW SERVERS), shorten it, or raise the pool's pool_size within the server's max_connections";
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("cl_waiting", ValueKind.INTEGER, "clients", 1L, 10L);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        for (Map<String, String> p : pools(context)) {
            rows.add(List.of(p.get("database"), p.get("user"), number(p, "cl_active"), number(p, "cl_waiting"),
                    maxwaitSeconds(p), number(p, "sv_active"), number(p, "sv_idle"), p.getOrDefault("pool_mode", "")));
        }
        return ResultTable.of(List.of("database", "user", "cl_active", "cl_waiting", "maxwait_s", "sv_active", "sv_idle", "pool_mode"), rows);
    }
}
