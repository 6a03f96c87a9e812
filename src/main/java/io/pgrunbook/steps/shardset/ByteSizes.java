package io.pgrunbook.steps.shardset;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes written as PostgreSQL settings and pg_size_pretty write them: 500MB, 1.5TB, 100 GB (1024-based), or bytes. */
public final class ByteSizes {
    private static final Pattern SIZE = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?b)?\\s*", Pattern.CASE_INSENSITIVE);
    private static final Map<String, Long> UNITS = Map.of("b", 1L, "kb", 1L << 10, "mb", 1L << 20, "gb", 1L << 30,
            "tb", 1L << 40, "pb", 1L << 50);

    private ByteSizes() {}

    static Optional<Long> parse(Object value) {
        if (value instanceof Number n) {
            return n.longValue() > 0 ? Optional.of(n.longValue()) : Optional.empty();
        }
        if (value == null) {
            return Optional.empty();
        }
        Matcher m = SIZE.matcher(String.valueOf(value));
        if (!m.matches()) {
            return Optional.empty();
        }
        long unit = UNITS.get(m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT));
        long bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)).longValue();
        return bytes > 0 ? Optional.of(bytes) : Optional.empty();
    }

    public static String show(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
