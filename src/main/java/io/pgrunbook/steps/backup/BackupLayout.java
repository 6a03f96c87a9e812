package io.pgrunbook.steps.backup;

import io.pgrunbook.error.PgRunbookException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where backups live: {@code ROOT/NAME-YYYYMMDDTHHMMSSmmmZ/} when complete, {@code ROOT/.NAME-...partial/}
 * while being written. A directory is a complete backup only when it has its manifest and is not a
 * partial; nothing else in ROOT is ever touched.
 */
final class BackupLayout {
    static final String PARTIAL_SUFFIX = ".partial";
    static final String LOCK_FILE = ".pgrunbook-backup.lock";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern COMPLETE = Pattern.compile("(.+)-(\\d{8}T\\d{9}Z)");

    private BackupLayout() {}

    /** A complete backup directory, newest first when sorted with {@link #NEWEST_FIRST}. */
    record Complete(Path directory, String prefix, Instant takenAt) {}

    static final Comparator<Complete> NEWEST_FIRST = Comparator.comparing(Complete::takenAt).reversed()
            .thenComparing(c -> c.directory().getFileName().toString(), Comparator.reverseOrder());

    static String name(String prefix, Instant at) {
        return prefix + "-" + STAMP.format(at);
    }

    static Path partial(Path root, String name) {
        return root.resolve("." + name + PARTIAL_SUFFIX);
    }

    /** A name that is safe as a directory name and says which database it holds. */
    static String safePrefix(String text) {
        String s = text.replaceAll("[^A-Za-z0-9_.]", "_");
        return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
    }

    /** Complete backups in root (with their manifest), newest first; with a prefix, only that database's. */
    static List<Complete> complete(Path root, String prefix) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Complete> out = new ArrayList<>();
        try (Stream<Path> children = Files.list(root)) {
            for (Path dir : children.toList()) {
                Matcher m = COMPLETE.matcher(dir.getFileName().toString());
                if (m.matches() && Files.isDirectory(dir) && Files.isRegularFile(dir.resolve(BackupManifest.FILE_NAME))
                        && (prefix == null || m.group(1).equals(prefix))) {
                    out.add(new Complete(dir, m.group(1), STAMP.parse(m.group(2), Instant::from)));
                }
            }
        }
        out.sort(NEWEST_FIRST);
        return out;
    }

    /** Partial (in progress, failed or killed) backups in root: reported, never removed by retention. */
    static List<Path> partials(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(root)) {
            return children.filter(p -> p.getFileName().toString().endsWith(PARTIAL_SUFFIX)).sorted().toList();
        }
    }

    /** The newest complete backup under root (any database), for verify-backup --latest. */
    static Optional<Complete> latest(Path root) throws IOException {
        return complete(root, null).stream().findFirst();
    }

    /**
     * An exclusive lock on ROOT/.pgrunbook-backup.lock for the backup and its retention, so two runs
     * (overlapping cron jobs) never write or prune the same directory at once.
     */
    static AutoCloseable lock(Path root) throws IOException {
        FileChannel channel = FileChannel.open(root.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw PgRunbookException.cannotRun("another backup is writing to " + root + " (it holds " + root.resolve(LOCK_FILE)
                    + "); wait for it to finish, or use another directory");
        }
        FileLock held = lock;
        return () -> {
            held.release();
            channel.close();
        };
    }

    /** Makes a rename or a new file durable: fsync of the directory that holds it (Linux, macOS). */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!System.getProperty("os.name", "").toLowerCase().contains("win")) {
                throw e;
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
