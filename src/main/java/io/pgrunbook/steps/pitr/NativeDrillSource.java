package io.pgrunbook.steps.pitr;

import io.pgrunbook.db.ServerUserCommand;
import io.pgrunbook.steps.backup.BackupToolkit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pgrunbook physical backup (pg_basebackup tar files with backup_manifest, hashed in manifest.json)
 * and the directory an archive_command copies WAL into. Restoring extracts the tars with tar(1),
 * checks the result with pg_verifybackup (PostgreSQL 15's cannot read tar files, so it verifies the
 * extracted data directory, before the server ever starts), and recovers with {@code cp} as the
 * restore_command.
 */
final class NativeDrillSource implements DrillSource {
    private static final Duration TAR_TIMEOUT = Duration.ofHours(6);

    private final Path backup;
    private final Path archiveDir;
    private final BackupToolkit.Summary manifest;
    private final String pgVerifyBackup;

    NativeDrillSource(Path backup, Path archiveDir, String pgVerifyBackup) throws IOException {
        this.backup = backup;
        this.archiveDir = archiveDir;
        this.pgVerifyBackup = pgVerifyBackup;
        this.manifest = BackupToolkit.readManifest(backup);
        if (!BackupToolkit.PHYSICAL.equals(manifest.format())) {
            throw new IOException(backup + " is a " + manifest.format() + " (pg_dump) backup, not a physical one: a point-in-time drill "
                    + "needs a base backup (pgrunbook backup --physical)");
        }
    }

    @Override
    public String describe() {
        return "base backup " + backup + " with the WAL archive " + archiveDir;
    }

    @Override
    public String label() {
        return backup.getFileName().toString().replaceAll("-\\d{8}T\\d{9}Z$", "");
    }

    @Override
    public Wal.Start start() {
        return new Wal.Start(((Number) manifest.options().get("timeline")).intValue(), Wal.parseLsn(String.valueOf(manifest.options().get("wal_start_lsn"))));
    }

    @Override
    public long endLsn() {
        return Wal.parseLsn(String.valueOf(manifest.options().get("wal_end_lsn")));
    }

    @Override
    public Instant backupEnd() {
        return manifest.finishedAt();
    }

    @Override
    public Long systemId() {
        Object id = manifest.options().get("system_identifier");
        return id == null ? null : Long.parseUnsignedLong(String.valueOf(id));
    }

    @Override
    public long estimatedSize() {
        Object size = manifest.options().get("cluster_size");
        return size instanceof Number n ? n.longValue() : manifest.size() * 4;
    }

    long segmentSize() {
        Object size = manifest.options().get("wal_segment_size");
        return size instanceof Number n ? n.longValue() : Wal.DEFAULT_SEGMENT_SIZE;
    }

    @Override
    public List<String> storedProblems() throws IOException {
        return BackupToolkit.checkFiles(backup);
    }

    @Override
    public WalArchive archive() throws IOException {
        return WalArchive.ofDirectory(archiveDir, segmentSize());
    }

    @Override
    public Map<String, String> restore(Path sandboxDirectory, PitrTarget target) throws IOException {
        Path data = sandboxDirectory.resolve("data");
        Path base = backup.resolve("data");
        Files.createDirectories(data.resolve("pg_wal"));
        untar(base.resolve("base.tar.gz"), data);
        if (Files.isRegularFile(base.resolve("pg_wal.tar.gz"))) {
            untar(base.resolve("pg_wal.tar.gz"), data.resolve("pg_wal"));
        }
        verify(base.resolve(BaseBackupManifest.FILE_NAME), data);
        Files.deleteIfExists(data.resolve("standby.signal"));
        Files.writeString(data.resolve("recovery.signal"), "");
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("restore_command", "cp " + quote(archiveDir.toAbsolutePath() + "/%f") + " %p");
        settings.putAll(target.recoverySettings());
        return settings;
    }

    private static void untar(Path tar, Path into) throws IOException {
        if (!Files.isRegularFile(tar)) {
            throw new DrillFailure("the base backup has no " + tar.getFileName() + " (" + tar + ")");
        }
        ServerUserCommand.Outcome r = ServerUserCommand.runAsCurrentUser(List.of("tar", "-xzf", tar.toString(), "-C", into.toString()),
                into, TAR_TIMEOUT);
        if (!r.succeeded()) {
            // On a full disk tar's own complaint may be lost with the rest (its output is captured on the same disk).
            long free = into.toFile().getUsableSpace(); // statvfs, no mount-table lookup
            throw new IOException("extracting " + tar + " failed: " + (free < 1 << 20 ? "No space left on device in " + into + " ("
                    + free + " bytes free). " : "") + r.output().strip());
        }
    }

    /** pg_verifybackup on the extracted directory against the backup's own manifest (files and WAL). */
    private void verify(Path baseManifest, Path data) throws IOException {
        BackupToolkit.Tool tool = BackupToolkit.tool("pg_verifybackup", pgVerifyBackup);
        Path log = Files.createTempFile("pgrunbook-pg_verifybackup-", ".log");
        try {
            tool.runOffline(List.of("--manifest-path=" + baseManifest, "--quiet", data.toString()), log);
        } catch (IOException e) {
            throw new DrillFailure("pg_verifybackup rejects the base backup: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while pg_verifybackup ran", e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Quotes a path for the shell that runs restore_command. */
    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
