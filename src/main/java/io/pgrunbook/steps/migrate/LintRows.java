package io.pgrunbook.steps.migrate;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Lint findings as a verdict with evidence rows, the same with or without a database: with one,
 * each row also carries the affected table's size (on Citus, the distributed size of the whole
 * table, not the coordinator's empty shell).
 */
public final class LintRows {
    public static final List<String> COLUMNS = List.of("file", "line", "severity", "rule", "table", "table_size", "why", "safer", "statement");
    private static final String TABLE_SIZE = """
            SELECT CASE WHEN to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL
                         AND EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid)
                        THEN pg_size_pretty(citus_table_size(c.oid)) || ' distributed'
                        ELSE pg_size_pretty(pg_total_relation_size(c.oid)) END,
                   c.reltuples::bigint
              FROM pg_class c WHERE c.oid = to_regclass(?)""";

    /** Looks up a table's size; null when there is no database to ask. */
    public interface Sizes {
        String of(String table) throws SQLException;
    }

    private LintRows() {}

    static Sizes sizes(StepContext ctx) {
        Map<String, String> cache = new HashMap<>();
        return table -> {
            String key = table.toLowerCase(Locale.ROOT).replace("\"", "");
            if (!cache.containsKey(key)) {
                cache.put(key, ctx.inTransaction(true, c -> {
                    // citus_table_size is looked up by name only when pg_dist_partition exists, so plain PostgreSQL never sees it.
                    String sql = citus(c) ? TABLE_SIZE : TABLE_SIZE.replaceAll("(?s)CASE WHEN.*?ELSE (.*?) END", "$1");
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        ps.setString(1, key);
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next() ? rs.getString(1) + ", ~" + Math.max(0, rs.getLong(2)) + " rows" : "not there yet";
                        }
                    } catch (SQLException e) {
                        return "unknown (" + e.getMessage().lines().findFirst().orElse("") + ")";
                    }
                }));
            }
            return cache.get(key);
        };
    }

    private static boolean citus(java.sql.Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    public static List<List<Object>> rows(List<Linter.Finding> findings, Sizes sizes) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        for (Linter.Finding f : findings) {
            rows.add(Arrays.asList(f.file().toString(), f.line(), f.rule().severity(), f.rule().id(), f.table(),
                    f.table() == null || sizes == null ? null : sizes.of(f.table()), f.why(), f.rule().rewrite(), f.statement()));
        }
        return rows;
    }

    /** The verdict: PASS when clean; findings WARN, or FAIL under --safe. The message counts them by severity and names the version judged for. */
    public static StepOutcome verdict(List<Linter.Finding> findings, Sizes sizes, int files, int versionNum, boolean fail) throws SQLException {
        List<List<Object>> rows = rows(findings, sizes);
        Evidence ev = new Evidence("no unsafe statements", findings.size() + " finding(s)", COLUMNS, rows, rows.size());
        String summary = LintFormats.summary(rows, files, versionNum);
        if (findings.isEmpty()) {
            return StepOutcome.verdict(Status.PASS, summary, ev);
        }
        return StepOutcome.verdict(fail ? Status.FAIL : Status.WARN, summary
                + "; fix them or silence one with '-- pgrunbook:allow RULE reason' above the statement"
                + (fail ? " (--safe: findings fail)" : " (--safe makes findings fail)"), ev);
    }
}
