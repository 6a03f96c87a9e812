package io.pgrunbook.steps.migrate;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * One versioned migration: {@code VERSION_description.up.sql} and, optionally,
 * {@code VERSION_description.down.sql} beside it.
 */
public record Migration(String version, String description, Path upFile, String upSql, Path downFile, String downSql, String checksum)
        implements Comparable<Migration> {

    public boolean hasDown() {
        return downSql != null;
    }

    /**
     * SHA-256 of the text with CRLF and CR line endings made LF, so that a checkout with other line
     * endings is not a change.
     */
    public static String checksum(String text) {
        String normalized = text.replace("\r\n", "\n").replace('\r', '\n');
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(normalized.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** Versions compare by their numeric parts: 2 &lt; 10, 1.2 &lt; 1.10, and 001 equals 1. */
    public static int compareVersions(String a, String b) {
        List<BigInteger> x = parts(a);
        List<BigInteger> y = parts(b);
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            BigInteger p = i < x.size() ? x.get(i) : BigInteger.ZERO;
            BigInteger q = i < y.size() ? y.get(i) : BigInteger.ZERO;
            int c = p.compareTo(q);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static List<BigInteger> parts(String v) {
        List<BigInteger> out = new ArrayList<>();
        for (String p : v.split("\\.")) {
            out.add(new BigInteger(p));
        }
        return out;
    }

    @Override
    public int compareTo(Migration o) {
        return compareVersions(version, o.version);
    }
}
