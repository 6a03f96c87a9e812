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
    private static final int BUFFER = 1 << 16;

    private ArchiveScanner() {}

    /** @param rows rows in a data file (COPY text lines up to the end marker), or -1 for other files */
    record Scanned(String path, long size, String sha256, long rows) {}

    /** Every regular file under {@code root} except the manifest, in path order. */
    static List<Path> files(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> !root.relativize(p).toString().equals(BackupManifest.FILE_NAME))
                    .sorted().toList();
        }
    }

    static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    static List<Scanned> scan(Path root) throws IOException {
        List<Scanned> out = new ArrayList<>();
        for (Path file : files(root)) {
            out.add(scan(root, file));
        }
        return out;
    }

    static Scanned scan(Path root, Path file) throws IOException {
        String name = file.getFileName().toString();
        MessageDigest digest = sha256();
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
        MessageDigest digest = sha256();
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

    /**
     * Lines of COPY text up to the end marker "\." (pg_dump's data files end with one; COPY TO STDOUT
     * output has none). A row is one line: COPY text escapes newlines in values as \n, and a value
     * can never be the line "\." because backslashes are doubled.
     */
    static long countCopyRows(InputStream in) throws IOException {
        byte[] buf = new byte[BUFFER];
        long lines = 0;
        int lineLength = 0;
        boolean lineIsMarker = false;
        int n;
        while ((n = in.read(buf)) != -1) {
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (b == '\n') {
                    if (lineLength == 2 && lineIsMarker) {
                        return lines;
                    }
                    lines++;
                    lineLength = 0;
                    lineIsMarker = false;
                } else {
                    if (lineLength == 0) {
                        lineIsMarker = b == '\\';
                    } else if (lineLength == 1) {
                        lineIsMarker = lineIsMarker && b == '.';
                    }
                    lineLength++;
                }
            }
        }
        return lineLength > 0 ? lines + 1 : lines;
    }

    private static InputStream nonClosing(InputStream in) {
        return new java.io.FilterInputStream(in) {
            @Override
            public void close() {
                // the caller drains and closes the underlying stream
            }
        };
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
