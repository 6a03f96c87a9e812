package io.pgrunbook.steps.backup;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Reads every file of a backup once: its SHA-256 and, for a data file, the rows in it, decompressed
 * from the same bytes that are hashed. The counts are therefore of what was dumped, not of a live
 * table that has moved on since.
 */
final class ArchiveScanner {
    /** Large reads: few system calls, and the gzip inflater gets whole blocks; per thread, so memory stays flat. */
    private static final int BUFFER = 1 << 18;

    private ArchiveScanner() {}

    /** @param rows rows in a data file (COPY text lines up to the end marker), or -1 for other files */
    record Scanned(String path, long size, String sha256, long rows) {}

    /** Every regular file under {@code root} except the manifest, in path order. */
    /** The manifest, its digest and the partial's owner record describe the backup; they are not part of it. */
    private static final java.util.Set<String> NOT_ARCHIVE = java.util.Set.of(BackupManifest.FILE_NAME, ManifestDigest.FILE_NAME,
            PartialOwner.FILE_NAME);

    static List<Path> files(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> !NOT_ARCHIVE.contains(root.relativize(p).toString()))
                    .sorted().toList();
        }
    }

    static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    static List<Scanned> scan(Path root) throws IOException {
        return scan(root, 1);
    }

    /**
     * Every file scanned on {@code threads} threads (pg_dump's -j: one table's data file per thread),
     * the largest first so one big table does not start last; results in path order.
     */
    static List<Scanned> scan(Path root, int threads) throws IOException {
        return parallel(files(root), threads, file -> scan(root, file));
    }

    interface FileTask<T> {
        T apply(Path file) throws IOException;
    }

    /** {@code task} over {@code files} on up to {@code threads} threads, results in the order of {@code files}. */
    static <T> List<T> parallel(List<Path> files, int threads, FileTask<T> task) throws IOException {
        int n = Math.max(1, Math.min(threads, files.size()));
        if (n == 1) {
            List<T> out = new ArrayList<>();
            for (Path f : files) {
                out.add(task.apply(f));
            }
            return out;
        }
        List<Path> bySize = new ArrayList<>(files);
        bySize.sort(java.util.Comparator.comparingLong(ArchiveScanner::sizeOrZero).reversed());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "pgrunbook-scan");
            t.setDaemon(true);
            return t;
        });
        try {
            java.util.Map<Path, java.util.concurrent.Future<T>> futures = new java.util.HashMap<>();
            for (Path f : bySize) {
                futures.put(f, pool.submit(() -> task.apply(f)));
            }
            List<T> out = new ArrayList<>();
            for (Path f : files) {
                try {
                    out.add(futures.get(f).get());
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IOException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while reading " + f);
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static long sizeOrZero(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }

    static Scanned scan(Path root, Path file) throws IOException {
        String name = file.getFileName().toString();
        MessageDigest digest = newSha256();
        long rows = -1;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
             DigestInputStream hashed = new DigestInputStream(raw, digest)) {
            if (isDataFile(name)) {
                InputStream data = name.endsWith(".gz") ? new GZIPInputStream(nonClosing(hashed), BUFFER) : hashed;
                rows = countCopyRows(data);
            }
            // Whatever the decompressor left (the gzip trailer, bytes after the end marker) is hashed too.
            byte[] buf = new byte[BUFFER];
            while (hashed.read(buf) != -1) {
                // drain
            }
        }
        return new Scanned(relative(root, file), Files.size(file), HexFormat.of().formatHex(digest.digest()), rows);
    }

    /** The file's SHA-256, nothing else. */
    static String sha256(Path file) throws IOException {
        MessageDigest digest = newSha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) != -1) {
                digest.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** pg_dump's directory-format table data (NNNN.dat[.gz]) and pgrunbook's tenant exports (*.copy[.gz]). */
    static boolean isDataFile(String name) {
        return name.matches("\\d+\\.dat(\\.gz)?") || name.matches(".+\\.copy(\\.gz)?");
    }

    /** Lines of COPY text up to the end marker "\\." (see {@link CopyRowCounter}). */
    static long countCopyRows(InputStream in) throws IOException {
        byte[] buf = new byte[BUFFER];
        CopyRowCounter counter = new CopyRowCounter();
        int n;
        while (!counter.ended() && (n = in.read(buf)) != -1) {
            counter.feed(buf, 0, n);
        }
        return counter.rows();
    }

    private static InputStream nonClosing(InputStream in) {
        return new java.io.FilterInputStream(in) {
            @Override
            public void close() {
                // the caller drains and closes the underlying stream
            }
        };
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
