package io.pgrunbook.steps.pgbouncer;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ValueKind;
import io.pgrunbook.steps.checks.Threshold;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code check.pgbouncer_maxwait}: how long the oldest waiting client of each pool has waited (SHOW POOLS maxwait). */
public final class PoolMaxwaitCheck extends PgBouncerCheck {
    @Override
    protected String check() {
        return "pgbouncer_maxwait";
    }

    @Override
    public String summary() {
        return "seconds the oldest client of each PgBouncer pool has waited for a server connection (SHOW POOLS maxwait)";
    }

    @Override
    public String recommendation() {
        return "Clients queue in PgBouncer before any query runs: look for long or idle-in-transaction sessions holding the"
                + " pool's server connections, or raise pool_size (reserve_pool_size absorbs bursts)";
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("maxwait_s", ValueKind.NUMBER, "s", 1L, 5L);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        for (Map<String, String> p : pools(context)) {
            rows.add(List.of(p.get("database"), p.get("user"), number(p, "cl_waiting"), maxwaitSeconds(p)));
        }
        return ResultTable.of(List.of("database", "user", "cl_waiting", "maxwait_s"), rows);
    }
}
