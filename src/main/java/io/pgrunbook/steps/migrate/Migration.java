package io.pgrunbook.steps.migrate;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One versioned migration: {@code VERSION_description.up.sql} and, optionally,
 * {@code VERSION_description.down.sql} beside it.
 */
public record Migration(String version, String description, Path upFile, String upSql, Path downFile, String downSql, String checksum)
        implements Comparable<Migration> {

    /** The version prefix of a repeatable migration ({@code R__views.sql} has version {@code R__views}). */
    public static final String REPEATABLE = "R__";

    /** One digest per thread: looking the algorithm up again for each of a thousand files costs more than hashing them. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    });

    public boolean hasDown() {
        return downSql != null;
    }

    /** A repeatable migration (views, functions): applied again whenever its text changes, after the versioned ones. */
    public boolean repeatable() {
        return version.startsWith(REPEATABLE);
    }

    /** The history row's kind for this migration. */
    public String kind() {
        return repeatable() ? "repeatable" : "migration";
    }

    /**
     * SHA-256 of the text with CRLF and CR line endings made LF, so that a checkout with other line
     * endings is not a change.
     */
    public static String checksum(String text) {
        String normalized = text.indexOf('\r') < 0 ? text : text.replace("\r\n", "\n").replace('\r', '\n');
        MessageDigest sha = SHA256.get();
        sha.reset();
        return HexFormat.of().formatHex(sha.digest(normalized.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Versions compare by their numeric parts: 2 &lt; 10, 1.2 &lt; 1.10, and 001 equals 1. Done on the
     * characters, without splitting or BigInteger, because status compares thousands of them.
     */
    public static int compareVersions(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() || j < b.length()) {
            int ie = end(a, i), je = end(b, j);
            int c = comparePart(a, i, ie, b, j, je);
            if (c != 0) {
                return c;
            }
            i = ie + 1;
            j = je + 1;
        }
        return 0;
    }

    private static int end(String v, int from) {
        int dot = from >= v.length() ? -1 : v.indexOf('.', from);
        return dot < 0 ? Math.max(from, v.length()) : dot;
    }

    /** Compares two runs of digits as numbers; an absent part (from past the end) is zero. */
    private static int comparePart(String a, int i, int ie, String b, int j, int je) {
        while (i < ie && a.charAt(i) == '0') {
            i++;
        }
        while (j < je && b.charAt(j) == '0') {
            j++;
        }
        int len = Integer.compare(ie - i, je - j);
        if (len != 0) {
            return len;
        }
        for (; i < ie; i++, j++) {
            int c = Character.compare(a.charAt(i), b.charAt(j));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    @Override
    public int compareTo(Migration o) {
        return compareVersions(version, o.version);
    }
}
