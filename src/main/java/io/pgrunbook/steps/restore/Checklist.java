package io.pgrunbook.steps.restore;

import io.pgrunbook.steps.backup.BackupManifest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Seed 003's restore checklist, the items a machine can check, as verdicts on the restored
 * database: row counts against the manifest (or the tenant's rows in the backup), indexes,
 * constraints, RLS enabled and forced with its policies, sequences not behind their columns, and
 * the migrations the target had that the backup does not (run them again).
 */
final class Checklist {
    static final String HISTORY_TABLE = "pgrunbook_schema_history";

    /** Every item checked: a row of the report, a FAIL reason, or a WARN reason. */
    record Result(List<List<Object>> rows, List<String> failures, List<String> warnings) {}

    private final List<List<Object>> rows = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    /** The applied migrations of a database (version -> applied_at), or null when it has no history table. */
    static Map<String, String> history(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RestoreSql.HISTORY_EXISTS)) {
            ps.setString(1, HISTORY_TABLE);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return null;
                }
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        String sql = TargetDatabase.format(c, RestoreSql.HISTORY, HISTORY_TABLE);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2) + " (applied " + rs.getString(3) + ")");
            }
        }
        return out;
    }

    Result run(Connection c, BackupManifest manifest, List<BackupManifest.TableEntry> tables, String tenantColumn, String tenant,
            Map<String, String> historyBefore, String reapply) throws SQLException {
        counts(c, tables, tenantColumn, tenant);
        objects(c, manifest, tables);
        sequences(c, tables);
        if (historyBefore != null) {
            migrations(c, historyBefore, reapply);
        }
        return new Result(rows, failures, warnings);
    }

    private void counts(Connection c, List<BackupManifest.TableEntry> tables, String tenantColumn, String tenant) throws SQLException {
        for (BackupManifest.TableEntry t : tables) {
            long now = TargetDatabase.count(c, t.schema(), t.name(), tenantColumn, tenant);
            boolean ok = now == t.rows();
            rows.add(List.of("rows" + (tenant == null ? "" : " of tenant"), t.qualified(), t.rows(), now < 0 ? "table missing" : now, ok ? "ok" : "MISMATCH"));
            if (!ok) {
                failures.add("table " + t.qualified() + " has " + (now < 0 ? "no table" : now + " rows") + " after the restore, the backup has " + t.rows());
            }
        }
    }

    private void objects(Connection c, BackupManifest manifest, List<BackupManifest.TableEntry> tables) throws SQLException {
        if (manifest.objects() == null) {
            return;
        }
        Set<String> restored = new HashSet<>();
        tables.forEach(t -> restored.add(t.qualified()));
        Set<String> present = io.pgrunbook.steps.backup.Backups.objectsIn(c);
        Map<String, int[]> byKind = new LinkedHashMap<>();
        for (String o : manifest.objects()) {
            String kind = o.startsWith("row level security forced") ? "row level security forced"
                    : o.startsWith("row level security") ? "row level security" : o.substring(0, o.indexOf(' '));
            String rest = o.substring(kind.length() + 1);
            if (restored.stream().noneMatch(t -> rest.equals(t) || rest.startsWith(t + "."))) {
                continue;
            }
            int[] n = byKind.computeIfAbsent(kind, k -> new int[2]);
            n[0]++;
            if (present.contains(o)) {
                n[1]++;
            } else {
                failures.add(o + " existed at backup time but is missing after the restore");
            }
        }
        byKind.forEach((kind, n) -> rows.add(List.of(kind.equals("policy") ? "RLS policies" : kind.startsWith("row") ? kind : kind.equals("index") ? "indexes" : kind + "s",
                "restored tables", n[0], n[1], n[0] == n[1] ? "ok" : "MISSING")));
    }

    private void sequences(Connection c, List<BackupManifest.TableEntry> tables) throws SQLException {
        List<String[]> owned = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(RestoreSql.OWNED_SEQUENCES)) {
            ps.setArray(1, c.createArrayOf("text", tables.stream().map(BackupManifest.TableEntry::qualified).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    owned.add(new String[] {rs.getString(1) + "." + rs.getString(2), rs.getString(3) + "." + rs.getString(4) + "." + rs.getString(5), rs.getString(6)});
                }
            }
        }
        for (String[] s : owned) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(s[2])) {
                rs.next();
                java.math.BigDecimal last = rs.getBigDecimal(1);
                java.math.BigDecimal max = rs.getBigDecimal(2);
                boolean called = rs.getBoolean(3);
                boolean behind = max != null && (last == null || last.compareTo(max) < 0 || (!called && last.compareTo(max) <= 0));
                rows.add(List.of("sequence", s[0], "≥ max(" + s[1] + ") = " + (max == null ? "none" : max), last == null ? "unset" : last, behind ? "BEHIND" : "ok"));
                if (behind) {
                    failures.add("sequence " + s[0] + " is at " + last + ", behind max(" + s[1] + ") = " + max
                            + ": the next INSERT collides; SELECT setval('" + s[0] + "', " + max + ")");
                }
            }
        }
    }

    private void migrations(Connection c, Map<String, String> before, String reapply) throws SQLException {
        Map<String, String> after = history(c);
        List<String> newer = new ArrayList<>();
        before.forEach((version, what) -> {
            if (after == null || !after.containsKey(version)) {
                newer.add(version + " " + what);
            }
        });
        rows.add(List.of("migrations newer than the backup", HISTORY_TABLE, 0, newer.size(), newer.isEmpty() ? "ok" : "REAPPLY"));
        if (!newer.isEmpty()) {
            warnings.add(newer.size() + " migration(s) the database had are newer than the backup and are no longer applied: "
                    + String.join("; ", newer) + ". Reapply them: " + reapply);
        }
    }
}
