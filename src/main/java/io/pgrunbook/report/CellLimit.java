package io.pgrunbook.report;

import java.util.Locale;

/**
 * How much of one value a step keeps as evidence: a text of more than {@link #MAX_CHARS}
 * characters is cut there and says its full size ({@code … (10.0 MB, truncated)}), so a 10 MB value
 * costs 4 kB in memory and in every report, and is never printed whole. Only data cells are cut:
 * messages and advice are never truncated (text output wraps them).
 */
public final class CellLimit {
    public static final int MAX_CHARS = 4096;
    public static final String MARK = " (%s, truncated)";

    private CellLimit() {}

    /** The value, or for a longer text its first {@link #MAX_CHARS} characters and its full size. */
    public static Object bound(Object value) {
        if (value instanceof String s && s.length() > MAX_CHARS) {
            int cut = Character.isHighSurrogate(s.charAt(MAX_CHARS - 1)) ? MAX_CHARS - 1 : MAX_CHARS;
            return s.substring(0, cut) + "\u2026" + String.format(Locale.ROOT, MARK, size(utf8Length(s)));
        }
        return value;
    }

    /** Bytes as a person reads them: 812 B, 4.0 kB, 10.0 MB. */
    public static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** The UTF-8 size without encoding a copy of a possibly huge string. */
    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

}
