package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/** prepared transactions (two-phase commit) left open: they hold their locks and the xmin horizon */
public final class PreparedTransactionsCheck extends Check {
    static final String SQL = """
            SELECT gid, database, owner, date_trunc('second', prepared)::text AS prepared_at, transaction::text AS xid,
                   round(extract(epoch FROM now() - prepared)::numeric, 1) AS age_s
            FROM pg_prepared_xacts
            ORDER BY prepared""";

    @Override
    protected String check() {
        return "prepared_transactions";
    }

    @Override
    public String summary() {
        return "prepared transactions (two-phase commit) left open, by age";
    }

    @Override
    public String recommendation() {
        return "A prepared transaction survives restarts and holds its locks and the xmin horizon (vacuum cannot clean up, "
                + "wraparound nears) until its coordinator finishes it: find the transaction manager that owns the gid, or, if it "
                + "is gone for good, COMMIT PREPARED 'gid' or ROLLBACK PREPARED 'gid' in that database (on Citus, "
                + "citus recovers its own with recover_prepared_transactions())";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of();
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("age_s", ValueKind.DURATION, "s", Duration.ofMinutes(1), Duration.ofMinutes(10));
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        return query(context, SQL, java.util.Map.of());
    }
}
