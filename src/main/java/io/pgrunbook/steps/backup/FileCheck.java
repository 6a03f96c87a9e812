package io.pgrunbook.steps.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Level 1 of verify-backup: the files on disk against the manifest, and pg_restore reading the archive. */
final class FileCheck {
    private FileCheck() {}

    /** Every missing, extra, resized or corrupt file, each named. */
    static List<String> check(Path backup, BackupManifest manifest) throws IOException {
        return check(backup, manifest, 1);
    }

    /** As {@link #check(Path, BackupManifest)}, hashing on {@code threads} threads (files in parallel). */
    static List<String> check(Path backup, BackupManifest manifest, int threads) throws IOException {
        Map<String, BackupManifest.FileEntry> expected = new HashMap<>();
        manifest.files().forEach(f -> expected.put(f.path(), f));
        List<String> found = ArchiveScanner.parallel(ArchiveScanner.files(backup), threads, file -> {
            String rel = ArchiveScanner.relative(backup, file);
            BackupManifest.FileEntry want = expected.get(rel);
            if (want == null) {
                return "extra file " + rel + " (not in the manifest)";
            }
            long size = Files.size(file);
            if (size != want.size()) {
                return "file " + rel + " has " + size + " bytes, the manifest says " + want.size() + " (truncated or overwritten)";
            }
            String sha = ArchiveScanner.sha256(file);
            return sha.equals(want.sha256()) ? null : "file " + rel + " is corrupt: SHA-256 " + sha + ", the manifest says " + want.sha256();
        });
        List<String> problems = new ArrayList<>();
        found.stream().filter(java.util.Objects::nonNull).forEach(problems::add);
        java.util.Set<String> present = new java.util.HashSet<>();
        ArchiveScanner.files(backup).forEach(f -> present.add(ArchiveScanner.relative(backup, f)));
        expected.keySet().stream().filter(rel -> !present.contains(rel)).sorted().forEach(rel -> problems.add("missing file " + rel));
        return problems;
    }

    /** Null when pg_restore --list reads the archive, else why not. */
    static String restoreList(PgTool pgRestore, Path archive) throws IOException, InterruptedException {
        Path log = Files.createTempFile("pgrunbook-pg_restore-", ".log");
        try {
            pgRestore.read(List.of("--list", archive.toString()), log, in -> in.transferTo(java.io.OutputStream.nullOutputStream()));
            return null;
        } catch (IOException e) {
            return "pg_restore cannot read the archive " + archive + ": " + e.getMessage();
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
