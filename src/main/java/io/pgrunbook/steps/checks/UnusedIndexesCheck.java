package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;

/** indexes never scanned since statistics were reset, on tables of a minimum size (constraint indexes excepted) */
public final class UnusedIndexesCheck extends Check {
    /**
     * A partitioned table's index is one index to its owner: it is judged as a whole (scans, size and
     * table size summed over its partitions' indexes, which pg_partition_tree lists) and reported on
     * the parent, never per partition, where it cannot be dropped (it is attached to the parent's).
     */
    static final String SQL = """
            SELECT n.nspname AS schema, t.relname AS table_name, ic.relname AS index_name, u.idx_scan,
                   pg_size_pretty(u.index_bytes) AS index_size, pg_size_pretty(u.table_bytes) AS table_size
            FROM pg_index i
            JOIN pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_class t ON t.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            CROSS JOIN LATERAL (
                SELECT sum(s.idx_scan) AS idx_scan,
                       sum(pc.relpages)::bigint * current_setting('block_size')::bigint AS index_bytes,
                       sum(tc.relpages)::bigint * current_setting('block_size')::bigint AS table_bytes
                FROM (SELECT i.indexrelid AS relid UNION SELECT relid FROM pg_partition_tree(i.indexrelid)) tree
                JOIN pg_stat_user_indexes s ON s.indexrelid = tree.relid
                JOIN pg_class pc ON pc.oid = s.indexrelid
                JOIN pg_class tc ON tc.oid = s.relid) u
            WHERE NOT ic.relispartition
              AND u.idx_scan = 0
              AND NOT i.indisunique AND NOT i.indisprimary AND NOT i.indisexclusion
              AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)
              AND u.table_bytes >= :min_table_bytes
            ORDER BY u.index_bytes DESC, n.nspname, t.relname, ic.relname""";

    /**
     * PostgreSQL 16 records when each index was last scanned (pg_stat_user_indexes.last_idx_scan): there an
     * index counts as unused too when its last scan is older than unused_for, and the column is shown.
     * Derived from SQL by replacing two fragments, so edits to the base query carry over to both versions.
     */
    static String sqlFor(int major) {
        if (major < 16) {
            return SQL;
        }
        String sql = replaceOnce(SQL, "u.idx_scan,\n", "u.idx_scan, u.last_idx_scan,\n");
        sql = replaceOnce(sql, "SELECT sum(s.idx_scan) AS idx_scan,", "SELECT sum(s.idx_scan) AS idx_scan, max(s.last_idx_scan) AS last_idx_scan,");
        return replaceOnce(sql, "AND u.idx_scan = 0\n",
                "AND (u.idx_scan = 0 OR (:unused_for_s > 0 AND u.last_idx_scan < now() - make_interval(secs => :unused_for_s)))\n");
    }

    /** A fragment the base query must hold: when an edit removes it, the PostgreSQL 16 query fails loudly (VersionedSqlTest). */
    private static String replaceOnce(String sql, String fragment, String with) {
        if (!sql.contains(fragment)) {
            throw new IllegalStateException("check.unused_indexes: the base query no longer contains '" + fragment.strip()
                    + "'; update sqlFor for PostgreSQL 16");
        }
        return sql.replace(fragment, with);
    }

    @Override
    protected String check() {
        return "unused_indexes";
    }

    @Override
    public String summary() {
        return "indexes never scanned since statistics were reset, on tables of a minimum size (constraint indexes excepted; "
                + "a partitioned table's index counts the scans and sizes of all its partitions' copies)";
    }

    @Override
    public String recommendation() {
        return "Check that the statistics cover a full business cycle (pg_stat_database.stats_reset) and that no replica uses the index, then DROP INDEX CONCURRENTLY and keep its definition (pg_get_indexdef) to recreate it";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.optional("min_table_size", ValueKind.STRING, "only indexes of tables at least this large, e.g. 10MB (default 10MB; sizes as of the last VACUUM/ANALYZE)"),
                ParamSpec.optional("unused_for", ValueKind.DURATION, "PostgreSQL 16+: also an index last scanned longer ago than this "
                        + "(pg_stat_user_indexes.last_idx_scan), e.g. 30d; default: only indexes never scanned"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.count(1L, null);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        java.time.Duration unusedFor = param(context.step(), "unused_for", java.time.Duration.ZERO);
        int major = context.server().major();
        return query(context, sqlFor(major), major < 16
                ? binds("min_table_bytes", Threshold.sizeBytes(param(context.step(), "min_table_size", "10MB")).orElseThrow())
                : binds("min_table_bytes", Threshold.sizeBytes(param(context.step(), "min_table_size", "10MB")).orElseThrow(),
                        "unused_for_s", unusedFor.toMillis() / 1000.0));
    }
}
