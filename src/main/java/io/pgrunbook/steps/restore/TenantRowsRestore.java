package io.pgrunbook.steps.restore;

import io.pgrunbook.steps.backup.BackupManifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.postgresql.PGConnection;

/**
 * Seed 000's tenant DR drill: one tenant's rows replaced from a tenant backup in one transaction
 * over its tables (the table group): deletes children first, loads parents first, so foreign keys
 * hold at every statement. Other tenants' rows are never read or locked beyond the DELETE's own
 * WHERE; a failure rolls back to the tenant's rows as they were.
 */
final class TenantRowsRestore {
    private TenantRowsRestore() {}

    /** What one table went through: rows deleted (the tenant's live rows) and rows loaded from the backup. */
    record TableResult(String table, long deleted, long loaded) {}

    static List<TableResult> run(Connection c, Path backup, BackupManifest manifest, String column, String tenant) throws SQLException, IOException {
        List<BackupManifest.TableEntry> parentsFirst = parentsFirst(c, manifest.tables());
        List<BackupManifest.TableEntry> childrenFirst = new ArrayList<>(parentsFirst);
        java.util.Collections.reverse(childrenFirst);
        Map<String, Long> deleted = new HashMap<>();
        Map<String, Long> loaded = new LinkedHashMap<>();
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL row_security = off");
            }
            for (BackupManifest.TableEntry t : childrenFirst) {
                try (Statement st = c.createStatement()) {
                    deleted.put(t.qualified(), (long) st.executeUpdate(
                            TargetDatabase.format(c, RestoreSql.DELETE_TENANT_ROWS, t.schema(), t.name(), column, tenant)));
                }
            }
            for (BackupManifest.TableEntry t : parentsFirst) {
                String copy = TargetDatabase.format(c, RestoreSql.COPY_IN, t.schema(), t.name());
                try (InputStream in = new GZIPInputStream(Files.newInputStream(backup.resolve(t.file())), 1 << 16)) {
                    loaded.put(t.qualified(), c.unwrap(PGConnection.class).getCopyAPI().copyIn(copy, in));
                }
            }
            c.commit();
        } catch (SQLException | IOException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
        List<TableResult> out = new ArrayList<>();
        for (BackupManifest.TableEntry t : parentsFirst) {
            out.add(new TableResult(t.qualified(), deleted.getOrDefault(t.qualified(), 0L), loaded.getOrDefault(t.qualified(), 0L)));
        }
        return out;
    }

    /** The tables ordered so that every table comes after the tables its foreign keys point to. */
    static List<BackupManifest.TableEntry> parentsFirst(Connection c, List<BackupManifest.TableEntry> tables) throws SQLException {
        Map<String, BackupManifest.TableEntry> byName = new LinkedHashMap<>();
        tables.forEach(t -> byName.put(t.qualified(), t));
        Map<String, Set<String>> parents = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(RestoreSql.FOREIGN_KEYS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String child = rs.getString(1) + "." + rs.getString(2);
                String parent = rs.getString(3) + "." + rs.getString(4);
                if (byName.containsKey(child) && byName.containsKey(parent)) {
                    parents.computeIfAbsent(child, k -> new LinkedHashSet<>()).add(parent);
                }
            }
        }
        Set<String> placed = new LinkedHashSet<>();
        while (placed.size() < byName.size()) {
            boolean progress = false;
            for (String name : byName.keySet()) {
                if (!placed.contains(name) && placed.containsAll(parents.getOrDefault(name, Set.of()))) {
                    placed.add(name);
                    progress = true;
                }
            }
            if (!progress) {
                // A cycle of foreign keys: the rest in backup order; deferrable constraints still hold at commit.
                byName.keySet().stream().filter(n -> !placed.contains(n)).forEach(placed::add);
            }
        }
        return placed.stream().map(byName::get).toList();
    }
}
