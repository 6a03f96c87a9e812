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
        return check(backup, manifest, threads, true);
    }

    /**
     * As {@link #check(Path, BackupManifest, int)}; without {@code hash}, only what the directory
     * says (missing, extra and resized files), so a drill can start while the hashes are checked.
     */
    static List<String> check(Path backup, BackupManifest manifest, int threads, boolean hash) throws IOException {
        Map<String, BackupManifest.FileEntry> expected = new HashMap<>();
        manifest.files().forEach(f -> expected.put(f.path(), f));
        Map<String, List<String>> tablesByFile = tablesByFile(manifest);
        List<String> found = ArchiveScanner.parallel(ArchiveScanner.files(backup), threads, file -> {
            String rel = ArchiveScanner.relative(backup, file);
            BackupManifest.FileEntry want = expected.get(rel);
            if (want == null) {
                return "extra file " + rel + " (not in the manifest)";
            }
            long size = Files.size(file);
            if (size != want.size()) {
                return "file " + rel + holding(tablesByFile, rel) + " has " + size + " bytes, the manifest says " + want.size()
                        + " (truncated or overwritten)";
            }
            if (!hash) {
                return null;
            }
            String sha = ArchiveScanner.sha256(file);
            return sha.equals(want.sha256()) ? null
                    : "file " + rel + holding(tablesByFile, rel) + " is corrupt: SHA-256 " + sha + ", the manifest says " + want.sha256();
        });
        List<String> problems = new ArrayList<>();
        found.stream().filter(java.util.Objects::nonNull).forEach(problems::add);
        java.util.Set<String> present = new java.util.HashSet<>();
        ArchiveScanner.files(backup).forEach(f -> present.add(ArchiveScanner.relative(backup, f)));
        expected.keySet().stream().filter(rel -> !present.contains(rel)).sorted()
                .forEach(rel -> problems.add("missing file " + rel + holding(tablesByFile, rel)));
        return problems;
    }

    private static Map<String, List<String>> tablesByFile(BackupManifest manifest) {
        Map<String, List<String>> byFile = new HashMap<>();
        for (BackupManifest.TableEntry t : manifest.tables()) {
            if (t.file() != null) {
                byFile.computeIfAbsent(t.file(), k -> new ArrayList<>()).add(t.qualified());
            }
        }
        return byFile;
    }

    /** " (the rows of public.orders)": what a damaged file costs, so the reader knows what is at stake. */
    static String holding(Map<String, List<String>> tablesByFile, String rel) {
        List<String> tables = tablesByFile.get(rel);
        if (tables == null || tables.isEmpty()) {
            return "";
        }
        if (tables.size() == 1) {
            return " (the rows of " + tables.get(0) + ")";
        }
        List<String> sorted = tables.stream().sorted().toList();
        return " (the rows of " + tables.size() + " tables: " + String.join(", ", sorted.subList(0, Math.min(5, sorted.size())))
                + (sorted.size() > 5 ? ", ..." : "") + ")";
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
