package io.pgrunbook.steps.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A file another process is still writing, read as it grows ("tail -f"): at its current end a read
 * waits for more bytes until the writer has exited, and only then is the end the end. Every byte
 * read goes into the SHA-256, so the hash is of exactly the bytes handed on, each read once.
 */
final class GrowingFile extends InputStream {
    /** How long a read at the current end sleeps before looking again: short next to a table's dump. */
    private static final long POLL_MILLIS = 5;

    private final FileChannel channel;
    private final MessageDigest digest;
    private final BooleanSupplier writerExited;
    private final BooleanSupplier abandoned;
    private final AtomicLong total;
    private long position;

    /**
     * @param writerExited true once the writer (pg_dump) has exited: the file is final
     * @param abandoned true when the backup failed: reads stop with an error instead of waiting
     * @param total bytes read by all followers, this one's added as it reads
     */
    GrowingFile(Path file, MessageDigest digest, BooleanSupplier writerExited, BooleanSupplier abandoned,
            AtomicLong total) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.digest = digest;
        this.writerExited = writerExited;
        this.abandoned = abandoned;
        this.total = total;
    }

    /** Bytes read (and hashed) so far. */
    long position() {
        return position;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            // Read the flag before the file: once the writer has exited, a read that finds nothing is the end.
            boolean exited = writerExited.getAsBoolean();
            int n = channel.read(ByteBuffer.wrap(b, off, len), position);
            if (n > 0) {
                digest.update(b, off, n);
                position += n;
                total.addAndGet(n);
                return n;
            }
            if (exited) {
                return -1;
            }
            if (abandoned.getAsBoolean()) {
                throw new InterruptedIOException("stopped following a file pg_dump was writing: the backup failed");
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while following a file pg_dump was writing");
            }
        }
    }

    /** What is already written beyond what was read: GZIPInputStream asks at a member's end whether another follows. */
    @Override
    public int available() throws IOException {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, channel.size() - position));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
