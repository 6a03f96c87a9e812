package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;

/** share of scans that use an index, per table with enough rows and scans */
public final class IndexUsageCheck extends Check {
    static final String SQL = """
            SELECT schemaname AS schema, relname AS table_name, n_live_tup, seq_scan, coalesce(idx_scan, 0) AS idx_scan, seq_tup_read,
                   round(100.0 * coalesce(idx_scan, 0) / nullif(seq_scan + coalesce(idx_scan, 0), 0), 2) AS index_scan_pct
            FROM pg_stat_user_tables
            WHERE n_live_tup >= :min_rows
              AND seq_scan + coalesce(idx_scan, 0) >= :min_scans
            ORDER BY index_scan_pct, seq_tup_read DESC""";

    @Override
    protected String check() {
        return "index_usage";
    }

    @Override
    public String summary() {
        return "share of scans that use an index, per table with enough rows and scans";
    }

    @Override
    public String recommendation() {
        return "Find the queries behind the sequential scans (pg_stat_statements, EXPLAIN) and add the index they need; a small table read whole is fine, so raise min_rows if these are small";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.optional("min_rows", ValueKind.INTEGER, "only tables with at least this many live rows (default 10000)"),
                ParamSpec.optional("min_scans", ValueKind.INTEGER, "only tables scanned at least this often (default 100)"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.below("index_scan_pct", ValueKind.NUMBER, "%", 90L, 50L);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        return query(context, SQL, binds("min_rows", param(context.step(), "min_rows", 10_000L), "min_scans", param(context.step(), "min_scans", 100L)));
    }
}
