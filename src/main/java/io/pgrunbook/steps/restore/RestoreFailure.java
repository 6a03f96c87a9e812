package io.pgrunbook.steps.restore;

import io.pgrunbook.db.SqlStates;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;
import io.pgrunbook.steps.backup.BackupManifest;
import io.pgrunbook.steps.restore.RestoreOptions.Mode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A restore that failed halfway, told exactly: what is restored and what is not (counted in the
 * target against the manifest), where the safety backup is, and the command that puts the target
 * back, or that finishes the restore when rerun.
 */
final class RestoreFailure {
    private final Path backup;
    private final BackupManifest manifest;
    private final TargetDatabase db;
    private final Mode mode;
    private final Path safety;
    private final List<BackupManifest.TableEntry> selected;

    RestoreFailure(Path backup, BackupManifest manifest, TargetDatabase db, Mode mode, Path safety, List<BackupManifest.TableEntry> selected) {
        this.backup = backup;
        this.manifest = manifest;
        this.db = db;
        this.mode = mode;
        this.safety = safety;
        this.selected = selected;
    }

    StepOutcome outcome(Exception e, List<String> notes) {
        String why = e instanceof SQLException s ? SqlStates.describe(s) : e.getMessage();
        StringBuilder message = new StringBuilder("restore of ").append(backup.getFileName()).append(" into ").append(db.name())
                .append(" failed: ").append(why).append(". ");
        List<List<Object>> rows = new ArrayList<>();
        if (mode != Mode.WHOLE) {
            message.append("It ran in one transaction, which rolled back: nothing was changed");
        } else {
            List<String> done = new ArrayList<>();
            List<String> left = new ArrayList<>();
            try (Connection c = db.connect()) {
                // A killed pg_restore's session may still wait for a lock: a count queued behind it must not hang the report.
                try (var st = c.createStatement()) {
                    st.execute("SET lock_timeout = '3s'");
                }
                for (BackupManifest.TableEntry t : selected) {
                    long now;
                    try {
                        now = TargetDatabase.count(c, t.schema(), t.name(), null, null);
                    } catch (SQLException locked) {
                        if (!"55P03".equals(locked.getSQLState())) {
                            throw locked;
                        }
                        left.add(t.qualified() + " (locked, not counted)");
                        rows.add(List.of(t.qualified(), t.rows(), "locked", "NOT known"));
                        continue;
                    }
                    boolean ok = now == t.rows();
                    (ok ? done : left).add(t.qualified());
                    rows.add(List.of(t.qualified(), t.rows(), now < 0 ? "missing" : now, ok ? "restored" : "NOT restored"));
                }
                message.append(done.size()).append(" of ").append(selected.size()).append(" tables restored with every row");
                if (!left.isEmpty()) {
                    message.append("; not restored: ").append(String.join(", ", left.subList(0, Math.min(20, left.size()))))
                            .append(left.size() > 20 ? " and " + (left.size() - 20) + " more" : "");
                }
                message.append(" (indexes and constraints come last: rerun to finish)");
            } catch (SQLException unreachable) {
                message.append("What is restored cannot be told now: database ").append(db.name()).append(" is unreachable (")
                        .append(SqlStates.describe(unreachable)).append(")");
            }
            message.append(". The database is marked as being restored from ").append(manifest.backup())
                    .append(": rerun the same command to finish it");
        }
        if (safety != null) {
            message.append(". Safety backup of the state before: ").append(safety).append("; to put the target back: ")
                    .append(putBack(safety, db, mode == Mode.TABLES ? selected.stream().map(BackupManifest.TableEntry::qualified).toList() : null,
                            mode == Mode.TENANT, db.display()));
        } else if (mode == Mode.WHOLE) {
            message.append(". The database held no data before (no safety backup was needed); to undo: DROP DATABASE ").append(db.name());
        }
        notes.stream().filter(n -> !n.startsWith("safety backup:")).forEach(n -> message.append("; ").append(n));
        return StepOutcome.verdict(Status.FAIL, message.toString(), rows.isEmpty() ? Evidence.none()
                : new Evidence(null, "state after the failure", List.of("table", "rows_in_backup", "rows_in_target", "state"), rows, rows.size()));
    }

    /** The command that restores the safety backup over the target: the state before this restore. */
    static String putBack(Path safety, TargetDatabase db, List<String> tables, boolean tenantMode, String target) {
        StringBuilder out = new StringBuilder("pgrunbook restore ").append(safety).append(" --db ").append(target);
        if (tenantMode) {
            return out.append(" --yes").toString();
        }
        if (tables != null) {
            tables.forEach(t -> out.append(" --table ").append(t));
            return out.append(" --yes").toString();
        }
        return out.append(" --clean --confirm-source ").append(db.name()).append(" --yes").toString();
    }
}
