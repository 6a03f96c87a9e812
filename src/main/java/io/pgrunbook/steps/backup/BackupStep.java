package io.pgrunbook.steps.backup;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.engine.StepType;
import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Metric;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.Step;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code type: backup}: pg_dump into a temporary directory, every file hashed and every table's rows
 * counted from the dump itself, the manifest written and synced last, then one rename into place;
 * then retention. A failed or killed backup is removed, or stays a hidden ".partial" directory that
 * nothing takes for a backup.
 */
public final class BackupStep implements StepType {
    /** Free space must cover the estimate plus this margin (seed 002: "estimated size + 15 %"). */
    static final double SPACE_MARGIN = 1.15;

    @Override
    public String name() {
        return "backup";
    }

    @Override
    public String summary() {
        return "pg_dump with a manifest of checksums and row counts, written atomically, with retention";
    }

    @Override
    public boolean writes() {
        return false;
    }

    @Override
    public SqlUse sqlUse() {
        return SqlUse.NONE;
    }

    @Override
    public boolean acceptsExpect() {
        return false;
    }

    @Override
    public List<ParamSpec> parameters() {
        return BackupOptions.PARAMETERS;
    }

    @Override
    public void validate(Step step, Set<String> targetNames, Problems problems) {
        BackupOptions.validate(step, problems);
    }

    @Override
    public List<String> describe(Step step) {
        BackupOptions o = BackupOptions.from(step.with());
        List<String> lines = new ArrayList<>();
        lines.add("-- pre-checks: pg_dump major >= server major; " + o.dir() + " writable; free space >= estimated size + 15 %");
        if (!Boolean.FALSE.equals(step.with().get("globals"))) {
            lines.add("pg_dumpall --globals-only --no-role-passwords -f <backup>/" + Globals.FILE + "   -- roles, memberships, tablespaces; never a password");
        }
        if (o.format().equals(BackupOptions.TENANT)) {
            lines.add("pg_dump --schema-only -Fc --snapshot=<exported> -f <backup>/schema.pgdump");
            lines.add("-- in that REPEATABLE READ snapshot, per table of " + o.tables() + ":");
            lines.add("COPY (SELECT * FROM <table> WHERE " + o.tenantColumn() + " = <tenant>) TO STDOUT  -> <backup>/data/NNNN.copy.gz");
        } else {
            lines.add("pg_dump " + String.join(" ", Dump.pgDumpArgs(o, List.of(), List.of(), Path.of("<backup>"))).replace("--dbname=", "")
                    + (o.tables().isEmpty() ? "" : "  -- -t per table matching " + o.tables())
                    + (o.excludeTables().isEmpty() ? "" : "  -- -T per table matching " + o.excludeTables()));
        }
        lines.add("-- written to " + o.dir() + "/.NAME-TIMESTAMP.partial, renamed to NAME-TIMESTAMP after the manifest is synced");
        if (o.retention().enabled()) {
            lines.add("-- retention: " + o.retention().describe());
            try {
                for (BackupLayout.Complete b : o.retention().toRemove(o.dir(), o.name(), Instant.now())) {
                    lines.add("--   would remove now: " + b.directory());
                }
            } catch (IOException e) {
                lines.add("--   (cannot list " + o.dir() + ": " + e.getMessage() + ")");
            }
        }
        return lines;
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        BackupOptions o = BackupOptions.from(context.step().with());
        PgTool pgDump = PgTool.find("pg_dump", o.pgDump()).requireAtLeast(context.server().major(), context.server().version());
        PgTool pgRestore = PgTool.find("pg_restore", o.pgRestore() != null ? o.pgRestore() : sibling(pgDump, "pg_restore"));
        Path root = context.step().fanOut() ? o.dir().resolve(BackupLayout.safePrefix(context.targetName())) : o.dir();
        prepareDestination(root);
        String prefix = BackupLayout.safePrefix(o.name() != null ? o.name() : context.server().database());
        byte[] manifestKey = ManifestDigest.readKey((String) context.step().with().get("manifest_key_file"));
        try (AutoCloseable ignored = BackupLayout.lock(root)) {
            List<String> cleaned = PartialOwner.cleanStale(root);
            Dump.Result dump;
            try {
                dump = new Dump(context, o, pgDump, pgRestore, root, prefix, manifestKey).withGlobals(globalsTool(context, pgDump)).run();
            } catch (IOException e) {
                String why = e.getMessage() + java.util.Arrays.stream(e.getSuppressed()).map(s -> "; " + s.getMessage())
                        .collect(java.util.stream.Collectors.joining());
                return StepOutcome.verdict(Status.FAIL, "backup failed, nothing was kept in " + root + ": " + why, Evidence.none())
                        .withMetrics(List.of(Metric.gauge("pgrunbook_backup_success", "1 when the last backup run completed, 0 when it failed",
                                Map.of("database", context.server().database()), 0)));
            }
            List<String> removed = new ArrayList<>();
            for (BackupLayout.Complete old : o.retention().toRemove(root, prefix, Instant.now())) {
                BackupLayout.deleteTree(old.directory());
                removed.add(old.directory().getFileName().toString());
            }
            removed.addAll(cleaned.stream().map(p -> p + " (stale partial of a dead run)").toList());
            return outcome(context, dump, removed, BackupLayout.partials(root));
        }
    }

    /** pg_dumpall beside pg_dump, unless the step says globals: false. */
    private static PgTool globalsTool(StepContext context, PgTool pgDump) {
        if (Boolean.FALSE.equals(context.step().with().get("globals"))) {
            return null;
        }
        String path = sibling(pgDump, "pg_dumpall");
        return PgTool.find("pg_dumpall", path);
    }

    private static String sibling(PgTool tool, String name) {
        Path p = tool.program().resolveSibling(name);
        return Files.isExecutable(p) ? p.toString() : null;
    }

    private static void prepareDestination(Path root) {
        try {
            Files.createDirectories(root);
            Path probe = Files.createTempFile(root, ".pgrunbook-write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw PgRunbookException.cannotRun("backup destination " + root + " is not writable: " + e
                    + ". Create it, or give a directory the pgrunbook user can write to.");
        }
    }

    /** Checks the free space before any work: the estimate plus 15 %. */
    static void requireSpace(Path root, long estimate) throws IOException {
        long usable = root.toFile().getUsableSpace(); // statvfs: unlike a FileStore it needs no entry in the mount table (a chroot has none)
        long needed = (long) Math.ceil(estimate * SPACE_MARGIN);
        if (usable < needed) {
            throw PgRunbookException.cannotRun("not enough free space in " + root + ": " + bytes(usable) + " free, need "
                    + bytes(needed) + " (estimated size " + bytes(estimate) + " + 15 %). Free some space, lower retention, "
                    + "or back up elsewhere.");
        }
    }

    static String bytes(long n) {
        return io.pgrunbook.report.CellLimit.size(n);
    }

    /** Renames the synced partial into place, then syncs the parent so the rename survives a crash. */
    static void publish(Path partial, Path complete) throws IOException {
        try {
            Files.move(partial, complete, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + partial + " atomically into " + complete + ": " + e.getMessage(), e);
        }
        BackupLayout.syncDirectory(complete.getParent());
    }

    private static StepOutcome outcome(StepContext context, Dump.Result dump, List<String> removed, List<Path> partials) {
        BackupManifest m = dump.manifest();
        List<List<Object>> rows = new ArrayList<>();
        for (BackupManifest.TableEntry t : m.tables()) {
            rows.add(List.of(t.qualified(), t.rows()));
        }
        long size = m.files().stream().mapToLong(BackupManifest.FileEntry::size).sum();
        StringBuilder message = new StringBuilder("backup ").append(dump.directory()).append(": ").append(m.tables().size())
                .append(" tables, ").append(m.tables().stream().mapToLong(BackupManifest.TableEntry::rows).sum()).append(" rows, ")
                .append(m.files().size()).append(" files, ").append(bytes(size)).append(" in ")
                .append(String.format(java.util.Locale.ROOT, "%.1f s", dump.duration().toMillis() / 1000.0));
        if (!removed.isEmpty()) {
            message.append("; retention removed ").append(String.join(", ", removed));
        }
        if (!partials.isEmpty()) {
            message.append("; partial backups left by failed or running runs: ")
                    .append(String.join(", ", partials.stream().map(p -> p.getFileName().toString()).toList()));
        }
        Evidence evidence = new Evidence(null, message.toString(), List.of("table", "rows_dumped"), rows.subList(0, Math.min(rows.size(), 50)), rows.size());
        Map<String, String> labels = Map.of("database", m.database());
        double now = Instant.parse(m.finishedAt()).getEpochSecond();
        return StepOutcome.verdict(Status.PASS, message.toString(), evidence).withMetrics(List.of(
                Metric.gauge("pgrunbook_backup_success", "1 when the last backup run completed, 0 when it failed", labels, 1),
                Metric.gauge("pgrunbook_backup_last_success_timestamp_seconds", "When the last complete backup finished (Unix time)", labels, now),
                Metric.gauge("pgrunbook_backup_duration_seconds", "How long the last backup took", labels, dump.duration().toMillis() / 1000.0),
                Metric.gauge("pgrunbook_backup_size_bytes", "Size of the last backup on disk", labels, size),
                Metric.gauge("pgrunbook_backup_tables", "Tables in the last backup", labels, m.tables().size()),
                Metric.gauge("pgrunbook_backup_removed", "Backups removed by retention in this run", labels, removed.size())));
    }

    static long scalarLong(java.sql.Connection c, String sql, Object... params) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static Duration since(Instant start) {
        return Duration.between(start, Instant.now());
    }

    static ResultTable none() {
        return ResultTable.of(List.of(), List.of());
    }
}
