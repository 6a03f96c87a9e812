package io.pgrunbook.steps.backup;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Rows of COPY text fed in chunks: lines up to the end marker "\." (pg_dump's data files end with
 * one; COPY TO STDOUT output has none). A row is one line: COPY text escapes newlines in values as
 * \n, and a value can never be the line "\." because backslashes are doubled.
 *
 * <p>The count is the bulk of the backup's own CPU per byte (every dumped byte passes through it
 * once inflated), so newlines are found eight bytes at a time (a SWAR zero-byte test) and only the
 * bytes after each newline are looked at one by one, for the marker.
 */
final class CopyRowCounter {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
    private static final byte[] MARKER = {'\\', '.', '\n'};

    private long lines;
    /** How much of the marker the current line has matched from its start; -1 once it cannot be the marker. */
    private int matched;
    /** Bytes of the current (unterminated) line seen so far, capped: only "is it empty" matters at the end. */
    private boolean lineHasBytes;
    private boolean ended;

    /** Whether the end marker was seen: the rows are final and nothing after it counts. */
    boolean ended() {
        return ended;
    }

    /** Rows so far; at the end of the input, the rows of the whole file (an unterminated last line counts). */
    long rows() {
        return ended || !lineHasBytes ? lines : lines + 1;
    }

    /** Counts the rows in {@code buf[off, off + len)}; returns {@link #ended()}. */
    boolean feed(byte[] buf, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end && !ended) {
            if (matched >= 0) {
                // At the start of a line (or part-way into a possible marker): bytes one by one.
                byte b = buf[i++];
                if (b == MARKER[matched]) {
                    matched++;
                    if (matched == MARKER.length) {
                        ended = true;
                        return true;
                    }
                    lineHasBytes = true;
                    continue;
                }
                matched = -1;
                if (b == '\n') {
                    newline();
                } else {
                    lineHasBytes = true;
                }
                continue;
            }
            i = skipToNewline(buf, i, end);
            if (i < end) {
                i++;
                newline();
            }
        }
        return ended;
    }

    private void newline() {
        lines++;
        matched = 0;
        lineHasBytes = false;
    }

    /** The index of the first '\n' in {@code buf[from, end)}, or {@code end}; the current line gains bytes. */
    private int skipToNewline(byte[] buf, int from, int end) {
        int i = from;
        lineHasBytes = true;
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            long x = (long) LONGS.get(buf, i) ^ NEWLINES;
            // The high bit of each byte of t is set exactly where x has a zero byte (no false positives).
            long t = ~(((x & LOW7) + LOW7) | x | LOW7);
            if (t != 0) {
                return i + (Long.numberOfTrailingZeros(t) >>> 3);
            }
        }
        for (; i < end; i++) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return end;
    }
}
