package io.pgrunbook.steps.pgbouncer;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ValueKind;
import io.pgrunbook.steps.checks.Threshold;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code check.pgbouncer_wait_time}: average time clients waited for a server, per database (SHOW STATS avg_wait_time). */
public final class WaitTimeCheck extends PgBouncerCheck {
    @Override
    protected String check() {
        return "pgbouncer_wait_time";
    }

    @Override
    public String summary() {
        return "average time a PgBouncer client waited for a server connection in the last stats period, per database (SHOW STATS)";
    }

    @Override
    public String recommendation() {
        return "Queries queue in PgBouncer: the pool is too small for the load or its connections are held by slow"
                + " transactions; see check.pgbouncer_pool_usage and check.pgbouncer_waiting";
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("avg_wait_ms", ValueKind.NUMBER, "ms", 10L, 100L);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        for (Map<String, String> s : show(context, "STATS")) {
            if (CONSOLE_DATABASE.equals(s.get("database"))) {
                continue;
            }
            rows.add(List.of(s.get("database"), number(s, "avg_xact_count"), number(s, "avg_query_count"),
                    Math.round(number(s, "avg_wait_time") / 10.0) / 100.0, number(s, "total_wait_time") / 1000));
        }
        return ResultTable.of(List.of("database", "avg_xact_per_s", "avg_query_per_s", "avg_wait_ms", "total_wait_ms"), rows);
    }
}
