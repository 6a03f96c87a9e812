package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/** Queries waiting on a lock, with the sessions that block them. */
public final class BlockedCheck extends Check {
    // pg_blocking_pids() inspects the lock manager, so it runs only for sessions waiting on a lock now.
    static final String SQL = """
            SELECT blocked.pid AS blocked_pid, blocked.usename AS blocked_user, blocked.datname,
                   round(extract(epoch FROM clock_timestamp() - blocked.query_start)::numeric, 1) AS waiting_s,
                   blocked.wait_event AS lock_type, left(blocked.query, 200) AS blocked_query,
                   blocker.pid AS blocking_pid,
                   CASE WHEN blocker.pid = 0 THEN 'prepared transaction' ELSE blocking.usename::text END AS blocking_user,
                   blocking.state AS blocking_state,
                   date_trunc('second', clock_timestamp() - blocking.xact_start)::text AS blocking_xact_age,
                   left(blocking.query, 200) AS blocking_query
            FROM pg_stat_activity AS blocked
            CROSS JOIN LATERAL unnest(pg_blocking_pids(blocked.pid)) AS blocker(pid)
            LEFT JOIN pg_stat_activity AS blocking ON blocking.pid = blocker.pid
            WHERE blocked.wait_event_type = 'Lock'
              AND blocked.pid <> pg_backend_pid()
              AND blocked.query_start < clock_timestamp() - make_interval(secs => :min_s)
            ORDER BY blocked.query_start, blocker.pid""";

    @Override
    protected String check() {
        return "blocked";
    }

    @Override
    public String summary() {
        return "queries waiting on a lock longer than the thresholds, and who blocks them";
    }

    @Override
    public String recommendation() {
        return "Look at the blocking session first: an idle-in-transaction blocker is usually an application that forgot to commit; "
                + "end it with pg_terminate_backend(blocking_pid). Schema changes should set lock_timeout so they give up instead of queueing everyone";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of();
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("waiting_s", ValueKind.DURATION, "s", Duration.ofSeconds(5), Duration.ofMinutes(1));
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        Double w = warning(context.step());
        Double c = critical(context.step());
        return query(context, SQL, binds("min_s", w != null ? w : c != null ? c : 0));
    }
}
