package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/** Sessions idle inside an open transaction, by how long they have been idle. */
public final class IdleInTransactionCheck extends Check {
    static final String SQL = """
            SELECT pid, usename, datname, application_name, client_addr::text AS client_addr, state,
                   round(extract(epoch FROM now() - state_change)::numeric, 1) AS idle_s,
                   date_trunc('second', now() - xact_start)::text AS transaction_age,
                   left(query, 200) AS last_query
            FROM pg_stat_activity
            WHERE backend_type = 'client backend'
              AND state IN ('idle in transaction', 'idle in transaction (aborted)')
              AND state_change < now() - make_interval(secs => :min_s)
            ORDER BY idle_s DESC""";

    @Override
    protected String check() {
        return "idle_in_transaction";
    }

    @Override
    public String summary() {
        return "sessions idle in an open transaction longer than the thresholds";
    }

    @Override
    public String recommendation() {
        return "They hold locks and stop VACUUM: fix the application that forgets to commit, end them with pg_terminate_backend(pid), "
                + "and set idle_in_transaction_session_timeout for the application's role";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of();
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("idle_s", ValueKind.DURATION, "s", Duration.ofSeconds(30), Duration.ofMinutes(5));
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        Double w = warning(context.step());
        Double c = critical(context.step());
        return query(context, SQL, binds("min_s", w != null ? w : c != null ? c : 0));
    }
}
