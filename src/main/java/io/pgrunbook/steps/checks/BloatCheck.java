package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;

/**
 * Estimated bloat of tables and B-tree indexes: pages on disk against the pages their rows need,
 * from planner statistics (pg_stats average widths, reltuples), without reading the relations.
 * An estimate: run ANALYZE first; pgstattuple gives exact figures at the cost of a full scan.
 */
public final class BloatCheck extends Check {
    static final String SQL = """
            WITH bs AS (SELECT current_setting('block_size')::numeric AS block_size),
            tables AS (
                -- pg_stats lists an inheritance parent's columns twice, the second time with its children
                -- (inherited); the parent's heap holds its own rows, so only those widths count.
                SELECT c.oid, n.nspname AS schema, c.relname AS name, 'table' AS kind, c.relpages, c.reltuples,
                       (SELECT coalesce(sum(s.avg_width), 0) FROM pg_stats s WHERE s.schemaname = n.nspname AND s.tablename = c.relname
                          AND NOT s.inherited)
                         + 24 + 4 AS row_bytes, 1.0 AS fill
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
            ),
            indexes AS (
                SELECT ic.oid, n.nspname, ic.relname, 'btree index', ic.relpages, ic.reltuples,
                       (SELECT coalesce(sum(s.avg_width), 0) FROM pg_attribute a
                          JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = t.relname AND s.attname = a.attname AND NOT s.inherited
                          WHERE a.attrelid = t.oid AND a.attnum = ANY(i.indkey)) + 8 + 4, 0.9
                FROM pg_index i
                JOIN pg_class ic ON ic.oid = i.indexrelid
                JOIN pg_class t ON t.oid = i.indrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                JOIN pg_am am ON am.oid = ic.relam AND am.amname = 'btree'
                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast' AND i.indexprs IS NULL
            ),
            est AS (
                SELECT r.*, ceil(greatest(r.reltuples, 0)::numeric * r.row_bytes / ((bs.block_size - 24) * r.fill)) AS expected_pages, bs.block_size
                FROM (SELECT * FROM tables UNION ALL SELECT * FROM indexes) r, bs
            )
            SELECT schema, name, kind, pg_size_pretty(relpages * block_size) AS size,
                   pg_size_pretty(greatest(relpages - expected_pages, 0) * block_size) AS estimated_bloat,
                   round(100.0 * greatest(relpages - expected_pages, 0) / relpages, 1) AS bloat_pct
            FROM est
            WHERE relpages * block_size >= :min_bytes AND relpages > 0
            ORDER BY bloat_pct DESC""";

    @Override
    protected String check() {
        return "bloat";
    }

    @Override
    public String summary() {
        return "estimated bloat of tables and B-tree indexes from planner statistics (share of pages not needed by live rows)";
    }

    @Override
    public String recommendation() {
        return "Confirm with pgstattuple, then rebuild without blocking: REINDEX INDEX CONCURRENTLY for an index, pg_repack for a table "
                + "(VACUUM FULL only in a maintenance window); then find why it bloated (long transactions, autovacuum too slow)";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.optional("min_size", ValueKind.STRING, "only relations at least this large, e.g. 100MB (default 10MB)"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("bloat_pct", ValueKind.NUMBER, "%", 40L, 70L);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        return query(context, SQL, binds("min_bytes", Threshold.sizeBytes(param(context.step(), "min_size", "10MB")).orElseThrow()));
    }
}
