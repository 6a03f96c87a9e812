package io.pgrunbook.steps.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The bulk COPY-row counter against a byte-by-byte reading of the same rule, at every chunk boundary. */
class ArchiveScannerRowCountTest {

    @Test
    void knownShapes() throws Exception {
        assertThat(count("")).isZero();
        assertThat(count("\\.\n")).as("an empty table's file").isZero();
        assertThat(count("\\.\n\n\n")).isZero();
        assertThat(count("a\tb\n\\.\n\n\n")).isEqualTo(1);
        assertThat(count("a\nb\nc")).as("an unterminated last line").isEqualTo(3);
        assertThat(count("\\\\.\n\\.x\n\\\n\n\\.\nlater\n")).as("lines that only look like the marker").isEqualTo(4);
        assertThat(count("\\N\t\\\\.\n" + "x".repeat(100) + "\n\\.\n")).isEqualTo(2);
    }

    @Test
    void bulkCountEqualsTheByteByByteRuleAtEveryChunking() throws Exception {
        Random random = new Random(20);
        List<String> pieces = List.of("\n", "\\", ".", "\\.", "\\.\n", "\\N", "\t", "abcdefgh", "0123456789abcdef", "\\\\.", "é");
        for (int round = 0; round < 300; round++) {
            StringBuilder text = new StringBuilder();
            int n = random.nextInt(60);
            for (int i = 0; i < n; i++) {
                text.append(pieces.get(random.nextInt(pieces.size())));
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            long expected = reference(bytes);
            assertThat(ArchiveScanner.countCopyRows(new ByteArrayInputStream(bytes))).as(text.toString()).isEqualTo(expected);
            for (int chunk = 1; chunk <= Math.min(bytes.length, 17); chunk++) {
                CopyRowCounter counter = new CopyRowCounter();
                for (int off = 0; off < bytes.length && !counter.ended(); off += chunk) {
                    byte[] piece = Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + chunk));
                    // fed at an offset inside a larger array, as a read into a buffer does
                    byte[] buf = new byte[piece.length + 5];
                    System.arraycopy(piece, 0, buf, 3, piece.length);
                    counter.feed(buf, 3, piece.length);
                }
                assertThat(counter.rows()).as("chunks of " + chunk + ": " + text).isEqualTo(expected);
            }
        }
    }

    private static long count(String text) throws Exception {
        return ArchiveScanner.countCopyRows(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The rule one byte at a time (the counter before it counted in bulk). */
    private static long reference(byte[] bytes) {
        long lines = 0;
        int lineLength = 0;
        boolean lineIsMarker = false;
        for (byte b : bytes) {
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
        return lineLength > 0 ? lines + 1 : lines;
    }
}
