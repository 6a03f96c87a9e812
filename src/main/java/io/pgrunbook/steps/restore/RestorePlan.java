package io.pgrunbook.steps.restore;

import io.pgrunbook.report.Evidence;
import io.pgrunbook.steps.backup.BackupManifest;
import io.pgrunbook.steps.restore.RestoreOptions.Mode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What a restore will do to each table, with its rows in the backup and in the target now. */
record RestorePlan(Mode mode, boolean databaseExists, List<List<Object>> rows) {
    static final String CREATE = "create";
    static final String REPLACE = "drop and recreate";
    static final String KEEP = "keep (not in the backup)";
    static final String REPLACE_ROWS = "replace rows (TRUNCATE + COPY, one transaction)";
    static final String REPLACE_TENANT = "replace the tenant's rows (DELETE + COPY, one transaction)";

    static RestorePlan of(Mode mode, BackupManifest m, List<BackupManifest.TableEntry> selected, Map<String, Long> current, boolean exists,
            String tenantColumn, String tenant, TargetDatabase db) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        switch (mode) {
            case WHOLE -> {
                Set<String> inBackup = new HashSet<>();
                for (BackupManifest.TableEntry t : selected) {
                    inBackup.add(t.qualified());
                    Long now = current.get(t.qualified());
                    rows.add(List.of(t.qualified(), now == null ? CREATE : REPLACE, t.rows(), now == null ? "-" : now));
                }
                current.forEach((table, now) -> {
                    if (!inBackup.contains(table)) {
                        rows.add(List.of(table, KEEP, "-", now));
                    }
                });
            }
            case TABLES -> selected.forEach(t -> rows.add(List.of(t.qualified(), REPLACE_ROWS, t.rows(),
                    current.containsKey(t.qualified()) ? current.get(t.qualified()) : "table missing")));
            case TENANT -> {
                try (Connection c = db.connect()) {
                    for (BackupManifest.TableEntry t : selected) {
                        long now = TargetDatabase.count(c, t.schema(), t.name(), tenantColumn, tenant);
                        rows.add(List.of(t.qualified(), REPLACE_TENANT, t.rows(), now < 0 ? "table missing" : now));
                    }
                }
            }
            default -> throw new IllegalStateException("mode " + mode);
        }
        return new RestorePlan(mode, exists, rows);
    }

    String summary(Path backup, String database) {
        long create = rows.stream().filter(r -> r.get(1).equals(CREATE)).count();
        long replace = rows.stream().filter(r -> !r.get(1).equals(CREATE) && !r.get(1).equals(KEEP)).count();
        long keep = rows.stream().filter(r -> r.get(1).equals(KEEP)).count();
        long fromBackup = rows.stream().filter(r -> r.get(2) instanceof Number).mapToLong(r -> ((Number) r.get(2)).longValue()).sum();
        long replaced = rows.stream().filter(r -> !r.get(1).equals(KEEP) && r.get(3) instanceof Number)
                .mapToLong(r -> ((Number) r.get(3)).longValue()).sum();
        return "restore " + backup.getFileName() + " into " + (databaseExists ? "database " : "new database ") + database + ": "
                + (create > 0 ? create + " tables to create, " : "") + replace + " to replace (" + replaced + " rows there now, "
                + fromBackup + " rows from the backup)" + (keep > 0 ? ", " + keep + " kept as they are" : "");
    }

    /** The plan as lines under its summary (text reports show a PASS step's message, not its table). */
    String lines() {
        StringBuilder out = new StringBuilder();
        int width = rows.stream().mapToInt(r -> r.get(0).toString().length()).max().orElse(5);
        for (List<Object> r : rows.subList(0, Math.min(rows.size(), 50))) {
            out.append('\n').append(String.format(java.util.Locale.ROOT, "  %-" + width + "s  %-50s backup %s rows, target now %s",
                    r.get(0), r.get(1), r.get(2), r.get(3)));
        }
        if (rows.size() > 50) {
            out.append("\n  ... and ").append(rows.size() - 50).append(" more tables (--format json lists them all)");
        }
        return out.toString();
    }

    Evidence evidence() {
        return new Evidence(null, rows.size() + " tables", List.of("table", "action", "rows_in_backup", "rows_in_target"),
                rows.subList(0, Math.min(rows.size(), 200)), rows.size());
    }
}
