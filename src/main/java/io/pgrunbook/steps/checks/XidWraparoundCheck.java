package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;

/** the age of each database's oldest unfrozen transaction ID, as a share of the 2^31 wraparound limit */
public final class XidWraparoundCheck extends Check {
    static final String SQL = """
            SELECT datname,
                   age(datfrozenxid) AS xid_age,
                   mxid_age(datminmxid) AS multixact_age,
                   round(100.0 * greatest(age(datfrozenxid), mxid_age(datminmxid)) / 2147483648, 2) AS wraparound_pct
            FROM pg_database
            WHERE datallowconn
            ORDER BY wraparound_pct DESC""";

    @Override
    protected String check() {
        return "xid_wraparound";
    }

    @Override
    public String summary() {
        return "the age of each database's oldest unfrozen transaction ID, as a share of the 2^31 wraparound limit";
    }

    @Override
    public String recommendation() {
        return "Run VACUUM (FREEZE) on the oldest tables of the database (ORDER BY age(relfrozenxid) DESC), and look for what stops autovacuum from freezing: long transactions, prepared transactions, stale replication slots";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of();
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("wraparound_pct", ValueKind.NUMBER, "%", 50L, 75L);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        return query(context, SQL, java.util.Map.of());
    }
}
