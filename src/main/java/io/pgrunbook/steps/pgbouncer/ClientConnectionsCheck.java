package io.pgrunbook.steps.pgbouncer;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ValueKind;
import io.pgrunbook.steps.checks.Threshold;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** {@code check.pgbouncer_clients}: client connections against max_client_conn (SHOW LISTS, SHOW CONFIG). */
public final class ClientConnectionsCheck extends PgBouncerCheck {
    @Override
    protected String check() {
        return "pgbouncer_clients";
    }

    @Override
    public String summary() {
        return "client connections to PgBouncer as a share of its max_client_conn (SHOW LISTS, SHOW CONFIG)";
    }

    @Override
    public String recommendation() {
        return "At max_client_conn PgBouncer refuses new clients: lower the applications' pool sizes, or raise"
                + " max_client_conn together with the open-file limit (ulimit -n) of the pgbouncer process";
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("used_pct", ValueKind.NUMBER, "%", 80L, 95L);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        long used = 0;
        long login = 0;
        for (Map<String, String> r : show(context, "LISTS")) {
            switch (String.valueOf(r.get("list"))) {
                case "used_clients" -> used = number(r, "items");
                case "login_clients" -> login = number(r, "items");
                default -> { }
            }
        }
        long max = number(config(context).get("max_client_conn"));
        Object pct = max > 0 ? Math.round(1000.0 * (used + login) / max) / 10.0 : null;
        return ResultTable.of(List.of("used_clients", "login_clients", "max_client_conn", "used_pct"),
                List.of(Arrays.asList(used, login, max, pct)));
    }
}
