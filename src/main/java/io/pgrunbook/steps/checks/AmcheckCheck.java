package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Physical soundness with the amcheck extension: {@code bt_index_check} on B-tree indexes and
 * {@code verify_heapam} on tables, smallest first, each in its own READ ONLY transaction (both take
 * only AccessShareLock), bounded by a number of relations and a time budget so it fits a health run.
 */
public final class AmcheckCheck extends Check {
    /** Relations to check, smallest first, so the budget covers as many as it can. */
    static final String RELATIONS = """
            SELECT c.oid::bigint, n.nspname, c.relname, CASE WHEN c.relkind = 'i' THEN 'btree index' ELSE 'table' END
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_index i ON i.indexrelid = c.oid
            LEFT JOIN pg_am am ON am.oid = c.relam
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
              AND n.nspname NOT LIKE 'pg\\_temp%' AND c.relpersistence <> 't'
              AND ((c.relkind = 'i' AND am.amname = 'btree' AND i.indisvalid AND i.indisready)
                   OR (c.relkind IN ('r', 'm') AND am.amname = 'heap'))
            ORDER BY pg_relation_size(c.oid), c.oid
            LIMIT ?""";
    static final String INDEX_CHECK = "SELECT bt_index_check(?::bigint::oid::regclass)";
    static final String HEAP_CHECK = "SELECT blkno, offnum, msg FROM verify_heapam(?::bigint::oid::regclass, on_error_stop => false) LIMIT 10";
    @Override
    protected String check() {
        return "amcheck";
    }

    @Override
    public String summary() {
        return "B-tree indexes and table heaps physically sound (amcheck), bounded in relations and time";
    }

    @Override
    public String recommendation() {
        return "A corrupt index: REINDEX INDEX CONCURRENTLY it. A corrupt heap: stop writes to the table, find the cause "
                + "(storage, fsync, a bug), and restore the table from a verified backup (pgrunbook restore --table)";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(
                ParamSpec.optional("max_relations", ValueKind.INTEGER, "check at most this many indexes and tables, smallest first (default 200)"),
                ParamSpec.optional("max_time", ValueKind.DURATION, "stop starting new relations after this long (default 60s)"),
                ParamSpec.optional("heap", ValueKind.BOOLEAN, "also check table heaps with verify_heapam (default true)"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.count(null, 1L);
    }

    @Override
    protected Optional<String> notApplicable(StepContext context) throws SQLException {
        return hasExtension(context, "amcheck") ? Optional.empty()
                : Optional.of("the amcheck extension is not installed in database " + context.server().database()
                        + " (CREATE EXTENSION amcheck; it ships with PostgreSQL's contrib modules)");
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        long limit = ((Number) param(context.step(), "max_relations", 200L)).longValue();
        Duration budget = param(context.step(), "max_time", Duration.ofSeconds(60));
        boolean heap = param(context.step(), "heap", Boolean.TRUE);
        List<Object[]> relations = context.inTransaction(true, c -> {
            List<Object[]> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(RELATIONS)) {
                ps.setLong(1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Object[] {rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)});
                    }
                }
            }
            return out;
        });
        long deadline = System.nanoTime() + budget.toNanos();
        List<List<Object>> rows = new ArrayList<>();
        int checked = 0;
        for (Object[] r : relations) {
            if (System.nanoTime() > deadline || context.isCancelled()) {
                break;
            }
            boolean index = r[3].equals("btree index");
            if (!index && !heap) {
                continue;
            }
            checked++;
            String problem = context.inTransaction(true, c -> checkOne(c, (Long) r[0], index));
            if (problem != null) {
                rows.add(List.of(r[1], r[2], r[3], problem));
            }
        }
        LOG.info("check.amcheck: {} of {} relations checked", checked, relations.size());
        return ResultTable.of(List.of("schema", "relation", "kind", "problem"), rows);
    }

    private static String checkOne(java.sql.Connection c, long oid, boolean index) throws SQLException {
        if (index) {
            try (PreparedStatement ps = c.prepareStatement(INDEX_CHECK)) {
                ps.setLong(1, oid);
                ps.execute();
                return null;
            } catch (SQLException e) {
                if (corrupt(e)) {
                    return e.getMessage();
                }
                throw e;
            }
        }
        try (PreparedStatement ps = c.prepareStatement(HEAP_CHECK)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                List<String> found = new ArrayList<>();
                while (rs.next()) {
                    found.add("block " + rs.getLong(1) + ", item " + rs.getInt(2) + ": " + rs.getString(3));
                }
                return found.isEmpty() ? null : String.join("; ", found);
            }
        } catch (SQLException e) {
            if (corrupt(e)) {
                return e.getMessage();
            }
            throw e;
        }
    }

    /** Class XX (internal error: data_corrupted, index_corrupted, and what a damaged page makes the reader raise). */
    private static boolean corrupt(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("XX");
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AmcheckCheck.class);
}
