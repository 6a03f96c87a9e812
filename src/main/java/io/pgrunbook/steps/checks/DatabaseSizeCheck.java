package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;

/** database size as a share of a capacity you give (the disk or quota it must fit in) */
public final class DatabaseSizeCheck extends Check {
    static final String SQL = """
            SELECT current_database() AS datname, pg_database_size(current_database()) AS size_bytes,
                   pg_size_pretty(pg_database_size(current_database())) AS size,
                   pg_size_pretty(CAST(:capacity AS bigint)) AS capacity,
                   round(100.0 * pg_database_size(current_database()) / CAST(:capacity AS bigint), 2) AS used_pct""";

    @Override
    protected String check() {
        return "database_size";
    }

    @Override
    public String summary() {
        return "database size as a share of a capacity you give (the disk or quota it must fit in)";
    }

    @Override
    public String recommendation() {
        return "Find the largest tables and indexes (pg_total_relation_size), remove bloat (pg_repack, VACUUM FULL in a window), archive or drop old data, or grow the disk before it fills";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.required("capacity", ValueKind.STRING, "the size the database must fit in, e.g. 500GB"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("used_pct", ValueKind.NUMBER, "%", 80L, 90L);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        return query(context, SQL, binds("capacity", Threshold.sizeBytes(param(context.step(), "capacity", "0")).orElseThrow()));
    }
}
