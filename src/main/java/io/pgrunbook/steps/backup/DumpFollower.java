package io.pgrunbook.steps.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * Hashes and counts pg_dump's files while pg_dump writes them, so the manifest costs no second pass
 * over the dump. A watcher lists the archive directory every few milliseconds; each new data file
 * (NNNN.dat.gz, blob_N.dat.gz) is followed as it grows on one of
 * {@code threads} threads: its raw bytes into SHA-256, its inflated bytes into a COPY-row counter.
 * A gzip member's end (or an uncompressed file's "\." marker) means pg_dump has finished that file,
 * and the thread moves on. Once pg_dump has exited, {@link #finish} reads what nobody followed (the
 * small files pg_dump writes at the end, toc.dat and blobs.toc; globals.sql) and any bytes written
 * after a followed file's end. Every byte of the archive is read exactly once; {@link #stats} says so.
 *
 * <p>Only the directory format is followed: pg_dump appends to its data files and never goes back.
 * The custom format's single file is not append-only (pg_dump rewrites its table of contents at the
 * start once the data offsets are known), so it is hashed after pg_dump exits.
 */
final class DumpFollower implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DumpFollower.class);
    /** How often the watcher lists the directory: a file created later than this before pg_dump exits is read after it. */
    private static final long LIST_MILLIS = 20;
    /** Inflated bytes per count step; one buffer per following thread, so memory stays flat at any database size. */
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[1 << 18]);

    /**
     * Bytes read while pg_dump ran; after it exited (followers catching up, and {@code unfollowed}: the
     * {@code filesAfterExit} files nobody followed); and read a second time (a data file that grew after
     * its gzip member ended: never expected).
     */
    record Stats(long whileRunning, long afterExit, long unfollowed, int filesAfterExit, long readTwice) {}

    /** A followed file: its digest so far, how far it was read, and its rows (-1 when not a data file). */
    private record Followed(MessageDigest digest, long position, long rows, boolean gzip) {}

    private final Path root;
    private final Path watched;
    private final Predicate<String> follow;
    private final ExecutorService pool;
    private final Map<Path, Future<Followed>> followed = new ConcurrentHashMap<>();
    private final Thread watcher;
    private final AtomicLong bytesRead = new AtomicLong();
    private volatile boolean exited;
    private volatile boolean abandoned;
    private volatile boolean stopWatching;
    private long readWhileRunning = -1;
    private Stats stats;

    private DumpFollower(Path root, Path watched, Predicate<String> follow, int threads) {
        this.root = root;
        this.watched = watched;
        this.follow = follow;
        this.pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> daemon(r, "pgrunbook-follow"));
        this.watcher = daemon(this::watch, "pgrunbook-watch");
    }

    /** Follows pg_dump's directory-format archive {@code root/dump} on {@code threads} threads (pg_dump's -j). */
    static DumpFollower directory(Path root, int threads) {
        DumpFollower f = new DumpFollower(root, root.resolve(Dump.DIRECTORY_ARCHIVE),
                name -> ArchiveScanner.isDataFile(name) || name.endsWith(".gz"), threads);
        f.watcher.start();
        return f;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** pg_dump has exited successfully: its files are final, and a follower at a file's end has read all of it. */
    void writerExited() {
        readWhileRunning = bytesRead.get();
        exited = true;
    }

    /**
     * Every file under the backup directory (as {@link ArchiveScanner#files}), hashed and counted:
     * followed files completed, the rest read now. Call after {@link #writerExited} and after
     * anything else written beside the dump (globals.sql).
     */
    List<ArchiveScanner.Scanned> finish() throws IOException {
        if (!exited) {
            throw new IllegalStateException("finish() before pg_dump exited");
        }
        stopWatching = true;
        try {
            watcher.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the dump's file watcher");
        }
        long after = 0;
        int afterFiles = 0;
        long twice = 0;
        List<ArchiveScanner.Scanned> out = new ArrayList<>();
        for (Path file : ArchiveScanner.files(root)) {
            Future<Followed> future = followed.get(file);
            if (future == null) {
                ArchiveScanner.Scanned s = ArchiveScanner.scan(root, file);
                after += s.size();
                afterFiles++;
                out.add(s);
                continue;
            }
            Followed f = await(future, file);
            long rest = catchUp(file, f);
            if (rest > 0 && f.rows() >= 0 && f.gzip()) {
                // Bytes after the gzip member's end in a data file: another member could hold rows. pg_dump
                // never writes one, but the count must be of the whole file, so read it again from the start.
                LOG.debug("backup: {} grew after its gzip member ended; reading it again", file);
                ArchiveScanner.Scanned s = ArchiveScanner.scan(root, file);
                twice += s.size();
                out.add(s);
                continue;
            }
            out.add(new ArchiveScanner.Scanned(ArchiveScanner.relative(root, file), f.position() + rest,
                    HexFormat.of().formatHex(f.digest().digest()), f.rows()));
        }
        stats = new Stats(readWhileRunning, bytesRead.get() - readWhileRunning + after, after, afterFiles, twice);
        LOG.debug("backup: archive read once: {} bytes while pg_dump ran, {} after it exited ({} of them in {} files nobody followed); "
                + "{} bytes read twice", stats.whileRunning(), stats.afterExit(), stats.unfollowed(), stats.filesAfterExit(), stats.readTwice());
        return out;
    }

    /** How the last {@link #finish} read the archive. */
    Stats stats() {
        return stats;
    }

    /** Stops following (the backup failed or is done): waiting reads end, and the threads are gone when this returns. */
    @Override
    public void close() {
        abandoned = true;
        stopWatching = true;
        pool.shutdownNow();
        try {
            watcher.join(TimeUnit.SECONDS.toMillis(5));
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void watch() {
        while (!stopWatching) {
            long started = System.nanoTime();
            try (DirectoryStream<Path> dir = Files.newDirectoryStream(watched)) {
                for (Path file : dir) {
                    if (!followed.containsKey(file) && follow.test(file.getFileName().toString()) && Files.isRegularFile(file)) {
                        followed.put(file, pool.submit(() -> follow(file)));
                    }
                }
            } catch (NoSuchFileException e) {
                // pg_dump has not made its directory yet
            } catch (IOException | java.util.concurrent.RejectedExecutionException e) {
                // the partial is being removed, or a listing failed: finish() reads what was not followed
                LOG.debug("backup: watching {}: {}", watched, e.toString());
            }
            // A directory of many thousand tables takes a while to list: list at most a fifth of the time.
            long listed = (System.nanoTime() - started) / 1_000_000;
            try {
                Thread.sleep(Math.max(LIST_MILLIS, 4 * listed));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Followed follow(Path file) throws IOException {
        String name = file.getFileName().toString();
        boolean data = ArchiveScanner.isDataFile(name);
        boolean gzip = name.endsWith(".gz");
        MessageDigest digest = ArchiveScanner.newSha256();
        long rows = -1;
        try (GrowingFile in = new GrowingFile(file, digest, () -> exited, () -> abandoned, bytesRead);
             InputStream content = gzip ? new GZIPInputStream(in, 1 << 16) : in) {
            byte[] buf = BUFFER.get();
            if (data) {
                CopyRowCounter counter = new CopyRowCounter();
                int n;
                while (!counter.ended() && (n = content.read(buf)) != -1) {
                    counter.feed(buf, 0, n);
                }
                rows = counter.rows();
            }
            // A gzip file up to its member's end (the trailer read too); anything else: the rest after "\." comes in finish().
            if (gzip || !data) {
                while (content.read(buf) != -1) {
                    // drain
                }
            }
            return new Followed(digest, in.position(), rows, gzip);
        }
    }

    /** Hashes what was written after the follower stopped (normally nothing, or the "\n\n" after an uncompressed file's marker). */
    private long catchUp(Path file, Followed f) throws IOException {
        long rest = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            int n;
            while ((n = ch.read(buf, f.position() + rest)) > 0) {
                f.digest().update(buf.array(), 0, n);
                rest += n;
                buf.clear();
            }
        }
        bytesRead.addAndGet(rest);
        return rest;
    }

    private static Followed await(Future<Followed> future, Path file) throws IOException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw new IOException("reading " + file.getFileName() + " as pg_dump wrote it: " + io.getMessage(), io);
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading " + file);
        }
    }
}
