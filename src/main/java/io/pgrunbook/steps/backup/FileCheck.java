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
        List<String> problems = new ArrayList<>();
        Map<String, BackupManifest.FileEntry> expected = new HashMap<>();
        manifest.files().forEach(f -> expected.put(f.path(), f));
        for (Path file : ArchiveScanner.files(backup)) {
            String rel = ArchiveScanner.relative(backup, file);
            BackupManifest.FileEntry want = expected.remove(rel);
            if (want == null) {
                problems.add("extra file " + rel + " (not in the manifest)");
                continue;
            }
            long size = Files.size(file);
            if (size != want.size()) {
                problems.add("file " + rel + " has " + size + " bytes, the manifest says " + want.size() + " (truncated or overwritten)");
                continue;
            }
            String sha = ArchiveScanner.sha256(file);
            if (!sha.equals(want.sha256())) {
                problems.add("file " + rel + " is corrupt: SHA-256 " + sha + ", the manifest says " + want.sha256());
            }
        }
        expected.keySet().stream().sorted().forEach(rel -> problems.add("missing file " + rel));
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
