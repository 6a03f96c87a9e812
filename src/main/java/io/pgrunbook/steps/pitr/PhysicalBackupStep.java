package io.pgrunbook.steps.pitr;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Metric;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.ValueKind;
import io.pgrunbook.steps.backup.BackupToolkit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code type: backup.physical}: pg_basebackup of the whole cluster (tar, gzip, WAL streamed into the
 * backup, with its backup_manifest) under the same rules as pg_dump backups: written to a hidden
 * ".partial" directory, every file hashed into manifest.json written last, one rename into place,
 * then retention; metrics for a BackupTooOld alert.
 */
public final class PhysicalBackupStep extends PitrStepBase {
    static final String SETTINGS_SQL = "SELECT (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'),"
            + " (SELECT system_identifier::text FROM pg_control_system()), (SELECT sum(pg_database_size(oid))::bigint FROM pg_database),"
            + " current_setting('archive_mode')";

    @Override
    public String name() {
        return "backup.physical";
    }

    @Override
    public String summary() {
        return "pg_basebackup (tar, compressed, WAL included, backup_manifest) written atomically with a manifest, with retention";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(
                ParamSpec.required("dir", ValueKind.STRING, "directory that holds the backups (one subdirectory per backup)"),
                ParamSpec.optional("name", ValueKind.STRING, "name prefix of the backup directories (default: <database>_base)"),
                ParamSpec.optional("keep_last", ValueKind.INTEGER, "retention: keep the newest N complete backups of this prefix"),
                ParamSpec.optional("keep_days", ValueKind.INTEGER, "retention: keep complete backups younger than D days"),
                ParamSpec.optional("checkpoint", ValueKind.STRING, "fast (default: start at once) or spread (wait for the next checkpoint)"),
                ParamSpec.optional("pg_basebackup", ValueKind.STRING, "path of pg_basebackup (default: the installation pgrunbook finds)"));
    }

    @Override
    public void validate(Step step, Set<String> targetNames, Problems problems) {
        Object cp = step.with().get("checkpoint");
        if (cp != null && !List.of("fast", "spread").contains(cp)) {
            problems.add(step.location(), "backup.physical: checkpoint must be fast or spread, not '" + cp + "'");
        }
        for (String key : List.of("keep_last", "keep_days")) {
            if (step.with().get(key) instanceof Number n && n.intValue() < 1) {
                problems.add(step.location(), "backup.physical: " + key + " must be at least 1, not " + n);
            }
        }
    }

    @Override
    public List<String> describe(Step step) {
        Map<String, Object> w = step.with();
        List<String> lines = new ArrayList<>();
        lines.add("-- pre-checks: pg_basebackup major >= server major; " + w.get("dir") + " writable; free space >= cluster size + 15 %");
        lines.add("pg_basebackup --pgdata=<backup> --format=tar --gzip --wal-method=stream --checkpoint=" + w.getOrDefault("checkpoint", "fast")
                + " --label=<backup name>");
        lines.add("-- written to " + w.get("dir") + "/.NAME-TIMESTAMP.partial, renamed to NAME-TIMESTAMP after manifest.json is synced");
        String retention = BackupToolkit.retentionDescribe(integer(w, "keep_last"), integer(w, "keep_days"));
        if (retention != null) {
            lines.add("-- retention: " + retention);
        }
        return lines;
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        Map<String, Object> w = context.step().with();
        BackupToolkit.Tool tool = BackupToolkit.tool("pg_basebackup", (String) w.get("pg_basebackup"))
                .requireAtLeast(context.server().major(), context.server().version());
        Path dir = Path.of(String.valueOf(w.get("dir")));
        Path root = context.step().fanOut() ? dir.resolve(BackupToolkit.safePrefix(context.targetName())) : dir;
        prepare(root);
        String prefix = BackupToolkit.safePrefix(w.get("name") != null ? String.valueOf(w.get("name")) : context.server().database() + "_base");
        Object[] settings = context.inTransaction(true, c -> {
            try (PreparedStatement ps = c.prepareStatement(SETTINGS_SQL); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Object[] {rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4)};
            }
        });
        Map<String, String> labels = Map.of("database", context.server().database(), "kind", "physical");
        BackupToolkit.requireSpace(root, (Long) settings[2]);
        try (AutoCloseable ignored = BackupToolkit.lock(root)) {
            Instant start = Instant.now();
            String name = BackupToolkit.stampedName(prefix, start);
            Path partial = BackupToolkit.partial(root, name);
            BackupToolkit.Summary written;
            try {
                written = basebackup(context, tool, partial, name, start, settings, String.valueOf(w.getOrDefault("checkpoint", "fast")));
                BackupToolkit.publish(partial, root.resolve(name));
            } catch (IOException e) {
                BackupToolkit.deleteTree(partial);
                return StepOutcome.verdict(Status.FAIL, "physical backup failed, nothing was kept in " + root + ": " + e.getMessage(), Evidence.none())
                        .withMetrics(List.of(Metric.gauge("pgrunbook_backup_success", "1 when the last backup run completed, 0 when it failed", labels, 0)));
            }
            List<String> removed = new ArrayList<>();
            for (Path old : BackupToolkit.retentionToRemove(root, prefix, integer(w, "keep_last"), integer(w, "keep_days"))) {
                BackupToolkit.deleteTree(old);
                removed.add(old.getFileName().toString());
            }
            return outcome(root.resolve(name), written, removed, BackupToolkit.partials(root), String.valueOf(settings[3]), labels);
        }
    }

    private static BackupToolkit.Summary basebackup(StepContext context, BackupToolkit.Tool tool, Path partial, String name, Instant start,
            Object[] settings, String checkpoint) throws IOException, InterruptedException {
        Files.createDirectories(partial);
        Path log = Files.createTempFile("pgrunbook-pg_basebackup-", ".log");
        try {
            // A replication connection has no database, and pg_basebackup reads --dbname as a conninfo string: host, port, user only.
            List<String> args = new ArrayList<>(BackupToolkit.connectionArgs(context.connectionSpec(), context.server().database()).stream()
                    .filter(a -> !a.startsWith("--dbname=")).toList());
            args.addAll(List.of("--pgdata=" + partial.resolve("data"), "--format=tar", "--gzip", "--wal-method=stream",
                    "--checkpoint=" + checkpoint, "--label=" + name));
            tool.run(args, context.connectionSpec(), log, context::isCancelled);
        } finally {
            Files.deleteIfExists(log);
        }
        BaseBackupManifest wal = BaseBackupManifest.read(partial.resolve("data"));
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("archive", "data/base.tar.gz");
        options.put("timeline", wal.timeline());
        options.put("wal_start_lsn", Wal.lsn(wal.startLsn()));
        options.put("wal_end_lsn", Wal.lsn(wal.endLsn()));
        options.put("wal_segment_size", settings[0]);
        options.put("system_identifier", settings[1]);
        options.put("cluster_size", wal.totalSize());
        options.put("archive_mode", settings[3]);
        BackupToolkit.Summary s = new BackupToolkit.Summary(name, BackupToolkit.PHYSICAL, context.server().version(), context.server().database(),
                context.targetName(), start, Instant.now(), Wal.lsn(wal.startLsn()), options, 0);
        return BackupToolkit.writeManifest(partial, s, tool.version());
    }

    private static void prepare(Path root) {
        try {
            Files.createDirectories(root);
            Files.delete(Files.createTempFile(root, ".pgrunbook-write-test", ".tmp"));
        } catch (IOException e) {
            throw PgRunbookException.cannotRun("backup destination " + root + " is not writable: " + e
                    + ". Create it, or give a directory the pgrunbook user can write to.");
        }
    }

    private static StepOutcome outcome(Path backup, BackupToolkit.Summary s, List<String> removed, List<Path> partials, String archiveMode,
            Map<String, String> labels) {
        Duration took = Duration.between(s.startedAt(), s.finishedAt());
        StringBuilder m = new StringBuilder("physical backup ").append(backup).append(": ").append(BackupToolkit.bytes(s.size()))
                .append(", WAL ").append(s.options().get("wal_start_lsn")).append(" to ").append(s.options().get("wal_end_lsn"))
                .append(" on timeline ").append(s.options().get("timeline"))
                .append(String.format(java.util.Locale.ROOT, " in %.1f s", took.toMillis() / 1000.0));
        if (!List.of("on", "always").contains(archiveMode)) {
            m.append("; archive_mode is ").append(archiveMode).append(": without a WAL archive this backup restores only to its own end");
        }
        if (!removed.isEmpty()) {
            m.append("; retention removed ").append(String.join(", ", removed));
        }
        if (!partials.isEmpty()) {
            m.append("; partial backups left by failed or running runs: ")
                    .append(String.join(", ", partials.stream().map(p -> p.getFileName().toString()).toList()));
        }
        List<List<Object>> rows = new ArrayList<>();
        s.options().forEach((k, v) -> rows.add(List.of(k, String.valueOf(v))));
        return StepOutcome.verdict(Status.PASS, m.toString(), new Evidence(null, m.toString(), List.of("property", "value"), rows, rows.size()))
                .withMetrics(List.of(
                        Metric.gauge("pgrunbook_backup_success", "1 when the last backup run completed, 0 when it failed", labels, 1),
                        Metric.gauge("pgrunbook_backup_last_success_timestamp_seconds", "When the last complete backup finished (Unix time)", labels,
                                s.finishedAt().getEpochSecond()),
                        Metric.gauge("pgrunbook_backup_duration_seconds", "How long the last backup took", labels, took.toMillis() / 1000.0),
                        Metric.gauge("pgrunbook_backup_size_bytes", "Size of the last backup on disk", labels, s.size()),
                        Metric.gauge("pgrunbook_backup_removed", "Backups removed by retention in this run", labels, removed.size())));
    }

    static Integer integer(Map<String, Object> w, String key) {
        return w.get(key) instanceof Number n ? n.intValue() : null;
    }
}
