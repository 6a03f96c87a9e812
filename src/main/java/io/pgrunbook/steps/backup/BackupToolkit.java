package io.pgrunbook.steps.backup;

import io.pgrunbook.db.ConnectionSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * What this package shares with other step packages that write backups (physical backups in
 * {@code steps/pitr}): the child-tool runner, the directory layout (hidden until complete, the lock,
 * retention) and manifest.json, so that every kind of backup follows the same rules and every child
 * tool goes through {@link PgTool}.
 */
public final class BackupToolkit {
    /** manifest.json's {@code format} of a pg_basebackup backup. */
    public static final String PHYSICAL = "physical";

    private BackupToolkit() {}

    /** A PostgreSQL client program (pg_basebackup, pg_verifybackup) run through {@link PgTool}. */
    public static final class Tool {
        private final PgTool tool;

        private Tool(PgTool tool) {
            this.tool = tool;
        }

        public String version() {
            return tool.version();
        }

        public Path program() {
            return tool.program();
        }

        /** Refuses (exit 3) a tool of an older major version than the server. */
        public Tool requireAtLeast(int serverMajor, String serverVersion) {
            tool.requireAtLeast(serverMajor, serverVersion);
            return this;
        }

        /** Runs with the connection's password in PGPASSWORD only; a non-zero exit is an IOException quoting the log. */
        public void run(List<String> args, ConnectionSpec spec, Path log, BooleanSupplier cancelled) throws IOException, InterruptedException {
            tool.run(args, spec, log, cancelled);
        }

        /** Runs without a connection; a non-zero exit is an IOException quoting its output. */
        public void runOffline(List<String> args, Path log) throws IOException, InterruptedException {
            tool.read(args, log, in -> in.transferTo(java.io.OutputStream.nullOutputStream()));
        }
    }

    /** The tool at {@code explicit}, or the one of the PostgreSQL installation pgrunbook finds (exit 3 when absent). */
    public static Tool tool(String name, String explicit) {
        return new Tool(PgTool.find(name, explicit));
    }

    /** -h, -p, -U, -d for the target; never the password. */
    public static List<String> connectionArgs(ConnectionSpec spec, String database) {
        return PgTool.connectionArgs(spec, database);
    }

    public static String safePrefix(String text) {
        return BackupLayout.safePrefix(text);
    }

    public static String stampedName(String prefix, Instant at) {
        return BackupLayout.name(prefix, at);
    }

    public static Path partial(Path root, String name) {
        return BackupLayout.partial(root, name);
    }

    /** The exclusive lock on the backup directory (exit 3 when another run holds it). */
    public static AutoCloseable lock(Path root) throws IOException {
        return BackupLayout.lock(root);
    }

    /** Renames the synced partial into place and syncs the parent. */
    public static void publish(Path partial, Path complete) throws IOException {
        BackupStep.publish(partial, complete);
    }

    public static void deleteTree(Path dir) throws IOException {
        BackupLayout.deleteTree(dir);
    }

    public static List<Path> partials(Path root) throws IOException {
        return BackupLayout.partials(root);
    }

    /** Complete backups in root (any kind), newest first; with a prefix, only that database's. */
    public static List<Path> complete(Path root, String prefix) throws IOException {
        return BackupLayout.complete(root, prefix).stream().map(BackupLayout.Complete::directory).toList();
    }

    /** What retention with these limits removes now (never the newest, never a partial). */
    public static List<Path> retentionToRemove(Path root, String prefix, Integer keepLast, Integer keepDays) throws IOException {
        return new Retention(keepLast, keepDays).toRemove(root, prefix, Instant.now()).stream().map(BackupLayout.Complete::directory).toList();
    }

    public static String retentionDescribe(Integer keepLast, Integer keepDays) {
        Retention r = new Retention(keepLast, keepDays);
        return r.enabled() ? r.describe() : null;
    }

    public static void requireSpace(Path root, long estimate) throws IOException {
        BackupStep.requireSpace(root, estimate);
    }

    public static String bytes(long n) {
        return BackupStep.bytes(n);
    }

    public static String pgrunbookVersion() {
        return Dump.toolVersion();
    }

    /** What a manifest says about a backup, for other kinds than pg_dump's. */
    public record Summary(String backup, String format, String serverVersion, String database, String target,
            Instant startedAt, Instant finishedAt, String walLsn, Map<String, Object> options, long size) {}

    /**
     * Hashes every file of the partial backup, syncs them, and writes manifest.json (synced) last.
     *
     * @return the summary written
     */
    public static Summary writeManifest(Path partial, Summary s, String toolVersion) throws IOException {
        List<ArchiveScanner.Scanned> scanned = ArchiveScanner.scan(partial, 2);
        for (Path f : ArchiveScanner.files(partial)) {
            try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
        BackupManifest m = new BackupManifest(BackupManifest.VERSION, s.backup(), "pgrunbook " + Dump.toolVersion(), toolVersion,
                s.serverVersion(), s.database(), s.target(), s.startedAt().toString(), s.finishedAt().toString(), s.walLsn(),
                s.format(), s.options().getOrDefault("archive", "").toString(), s.options(), null,
                scanned.stream().map(f -> new BackupManifest.FileEntry(f.path(), f.size(), f.sha256())).toList(), List.of(), List.of());
        m.writeSynced(partial);
        BackupLayout.syncDirectory(partial);
        return new Summary(s.backup(), s.format(), s.serverVersion(), s.database(), s.target(), s.startedAt(), s.finishedAt(),
                s.walLsn(), s.options(), scanned.stream().mapToLong(ArchiveScanner.Scanned::size).sum());
    }

    /** The backup's manifest, or why it cannot be read (a message naming the file). */
    public static Summary readManifest(Path backup) throws IOException {
        BackupManifest m;
        try {
            m = BackupManifest.read(backup);
        } catch (BackupManifest.BackupProblem e) {
            throw new IOException(e.getMessage(), e);
        }
        return new Summary(m.backup(), m.format(), m.serverVersion(), m.database(), m.target(), Instant.parse(m.startedAt()),
                Instant.parse(m.finishedAt()), m.walLsn(), m.options() == null ? Map.of() : m.options(),
                m.files().stream().mapToLong(BackupManifest.FileEntry::size).sum());
    }

    /** Every missing, extra, resized or corrupt file of the backup against its manifest.json. */
    public static List<String> checkFiles(Path backup) throws IOException {
        try {
            return FileCheck.check(backup, BackupManifest.read(backup), 2);
        } catch (BackupManifest.BackupProblem e) {
            return List.of(e.getMessage());
        }
    }

    /** Whether the directory holds a physical (pg_basebackup) backup by its manifest. */
    public static boolean isPhysical(Path backup) {
        try {
            return PHYSICAL.equals(BackupManifest.read(backup).format());
        } catch (BackupManifest.BackupProblem e) {
            return false;
        }
    }

    /** The newest complete backup under root, if any. */
    public static Optional<Path> latest(Path root) throws IOException {
        return BackupLayout.latest(root).map(BackupLayout.Complete::directory);
    }
}
