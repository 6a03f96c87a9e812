package io.pgrunbook.steps.backup;

import io.pgrunbook.engine.StepContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What other capabilities (restore) use of the backup machinery: the same level-1 verification as
 * verify-backup, and a backup taken and verified exactly as the backup step takes one.
 */
public final class Backups {
    private Backups() {}

    /** A backup that was taken and then checked against its own manifest. */
    public record Taken(Path directory, BackupManifest manifest, List<String> problems) {}

    /** The newest complete backup in {@code root}, for --latest. */
    public static Optional<Path> latest(Path root) throws IOException {
        return BackupLayout.latest(root).map(BackupLayout.Complete::directory);
    }

    /**
     * verify-backup's level 1: the manifest belongs to this directory, every file has its size and
     * SHA-256, pg_restore reads the archive. Every problem is named; empty when the backup is sound.
     */
    public static List<String> verifyFiles(Path backup, BackupManifest manifest, PgTool pgRestore, int jobs)
            throws IOException, InterruptedException {
        List<String> problems = new ArrayList<>();
        if (!manifest.backup().equals(backup.getFileName().toString())) {
            problems.add(backup + "/" + BackupManifest.FILE_NAME + " belongs to backup " + manifest.backup() + ", not to "
                    + backup.getFileName() + ": a manifest copied from another backup");
            return problems;
        }
        problems.addAll(FileCheck.check(backup, manifest, jobs));
        // The manifest's own digest, as verify-backup checks it; an HMAC needs its key, which verify-backup takes.
        String digest = ManifestDigest.verdict(backup, manifest, null, false).problem();
        if (digest != null) {
            problems.add(digest);
        }
        if (problems.isEmpty()) {
            String listing = FileCheck.restoreList(pgRestore, backup.resolve(manifest.archive()));
            if (listing != null) {
                problems.add(listing);
            }
        }
        return problems;
    }

    /**
     * A backup of the step's target taken as {@code type: backup} would take it, with {@code with}
     * as its options (dir, name, tables, tenant, tenant_column, jobs), then verified at level 1.
     */
    public static Taken take(StepContext context, Map<String, Object> with, boolean globals) throws Exception {
        BackupOptions o = BackupOptions.from(with);
        PgTool pgDump = PgTool.find("pg_dump", o.pgDump()).requireAtLeast(context.server().major(), context.server().version());
        Path sibling = pgDump.program().resolveSibling("pg_restore");
        PgTool pgRestore = PgTool.find("pg_restore", o.pgRestore() != null ? o.pgRestore() : Files.isExecutable(sibling) ? sibling.toString() : null);
        Files.createDirectories(o.dir());
        String prefix = BackupLayout.safePrefix(o.name() != null ? o.name() : context.server().database());
        Dump.Result result;
        try (AutoCloseable ignored = BackupLayout.lock(o.dir())) {
            Dump dump = new Dump(context, o, pgDump, pgRestore, o.dir(), prefix);
            if (globals) {
                Path dumpall = pgDump.program().resolveSibling("pg_dumpall");
                dump.withGlobals(PgTool.find("pg_dumpall", Files.isExecutable(dumpall) ? dumpall.toString() : null));
            }
            result = dump.run();
        }
        List<String> problems = verifyFiles(result.directory(), result.manifest(), pgRestore, o.jobs());
        return new Taken(result.directory(), result.manifest(), problems);
    }

    /** The archive pg_restore reads in a backup (dump, dump.pgdump or schema.pgdump). */
    public static Path archive(Path backup, BackupManifest manifest) {
        return backup.resolve(manifest.archive());
    }

    /** The globals file of a backup, when it has one (backups from before globals have none). */
    public static Optional<Path> globals(Path backup, BackupManifest manifest) {
        return manifest.files().stream().anyMatch(f -> f.path().equals(Globals.FILE)) ? Optional.of(backup.resolve(Globals.FILE)) : Optional.empty();
    }

    /**
     * The indexes, constraints, RLS flags and policies a database has now, in the manifest's own
     * notation ("index public.t.t_pkey", "row level security public.t"), to compare with {@link BackupManifest#objects()}.
     */
    public static java.util.Set<String> objectsIn(java.sql.Connection c) throws java.sql.SQLException {
        java.util.Set<String> present = new java.util.HashSet<>();
        try (java.sql.PreparedStatement ps = c.prepareStatement(BackupSql.OBJECTS); java.sql.ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String kind = rs.getString(1);
                present.add(kind + " " + rs.getString(2) + "." + rs.getString(3) + (kind.startsWith("row level security") ? "" : "." + rs.getString(4)));
            }
        }
        return present;
    }

    /** The manifest's tables, without the bogus TABLE ATTACH entries that older pgrunbook versions wrote. */
    public static java.util.List<BackupManifest.TableEntry> tables(BackupManifest manifest) {
        return manifest.tables().stream().filter(t -> !ArchiveToc.misreadAttach(t)).toList();
    }

    public static boolean isTenant(BackupManifest manifest) {
        return BackupOptions.TENANT.equals(manifest.format());
    }

    /** A size as backup reports it (12.3 MB). */
    public static String bytes(long n) {
        return BackupStep.bytes(n);
    }
}
