package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/** Queries (state active) running, or transactions open, longer than the thresholds. */
public final class LongRunningCheck extends Check {
    static final String SQL = """
            SELECT pid, usename, datname, application_name, client_addr::text AS client_addr, state,
                   round(extract(epoch FROM now() - CASE WHEN state = 'active' THEN query_start ELSE xact_start END)::numeric, 1) AS running_s,
                   wait_event_type, wait_event, left(query, 200) AS query
            FROM pg_stat_activity
            WHERE pid <> pg_backend_pid()
              AND backend_type = 'client backend'
              AND state IS NOT NULL AND state <> 'idle'
              AND (:include_idle_in_transaction OR state = 'active')
              AND CASE WHEN state = 'active' THEN query_start ELSE xact_start END < now() - make_interval(secs => :min_s)
            ORDER BY running_s DESC""";

    @Override
    protected String check() {
        return "long_running";
    }

    @Override
    public String summary() {
        return "queries running (or transactions open) longer than the thresholds";
    }

    @Override
    public String recommendation() {
        return "Find out what they are (application_name, client_addr); cancel a query with pg_cancel_backend(pid), end a session "
                + "with pg_terminate_backend(pid), and set statement_timeout for the application's role";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.optional("include_idle_in_transaction", ValueKind.BOOLEAN,
                "also count sessions idle in a transaction, by the age of the transaction (default true)"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("running_s", ValueKind.DURATION, "s", Duration.ofMinutes(1), Duration.ofMinutes(5));
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        return query(context, SQL, binds("include_idle_in_transaction", param(context.step(), "include_idle_in_transaction", true),
                "min_s", lowest(context)));
    }

    double lowest(StepContext context) {
        Double w = warning(context.step());
        Double c = critical(context.step());
        return w != null ? w : c != null ? c : 0;
    }
}
