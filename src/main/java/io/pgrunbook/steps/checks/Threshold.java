package io.pgrunbook.steps.checks;

import io.pgrunbook.runbook.ValueKind;
import io.pgrunbook.runbook.load.Durations;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a check compares what it measured with its {@code warning} and {@code critical} thresholds.
 *
 * @param column     the result column holding the measure of each row, or null when the measure is
 *                   the number of rows the check found (unused indexes, tables without a key)
 * @param worseAbove true when a higher value is worse (connections in use), false when lower is worse
 *                   (cache hit ratio)
 * @param kind       how thresholds are written: NUMBER, INTEGER, DURATION (compared in seconds) or
 *                   STRING for sizes such as 1GB (compared in bytes)
 * @param unit       how the measure reads in messages: "%", "s", "bytes", ""
 * @param warning    the default warning threshold, or null for none
 * @param critical   the default critical threshold, or null for none
 */
public record Threshold(String column, boolean worseAbove, ValueKind kind, String unit, Object warning, Object critical) {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|bytes|kb|mb|gb|tb)?");

    public static Threshold above(String column, ValueKind kind, String unit, Object warning, Object critical) {
        return new Threshold(column, true, kind, unit, warning, critical);
    }

    public static Threshold below(String column, ValueKind kind, String unit, Object warning, Object critical) {
        return new Threshold(column, false, kind, unit, warning, critical);
    }

    /** A count of offending objects: warn at {@code warning} of them, fail at {@code critical}. */
    public static Threshold count(Long warning, Long critical) {
        return new Threshold(null, true, ValueKind.INTEGER, "", warning, critical);
    }

    /** True when {@code value} is at or beyond {@code limit} in the bad direction. */
    public boolean breaches(double value, Double limit) {
        if (limit == null) {
            return false;
        }
        return worseAbove ? value >= limit : value < limit;
    }

    /** The comparison as a reader sees it, e.g. "< 80" for a higher-is-worse check. */
    public String okWhen(Double limit) {
        return (worseAbove ? "< " : ">= ") + format(limit);
    }

    /** A threshold value as given in a runbook, in the unit the SQL measures (seconds, bytes). */
    public Double numeric(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Duration d) {
            return d.toMillis() / 1000.0;
        }
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (kind == ValueKind.STRING) {
            return sizeBytes(value.toString()).map(Long::doubleValue).orElse(null);
        }
        return Durations.parse(value.toString()).map(d -> d.toMillis() / 1000.0).orElse(null);
    }

    /** 10GB, 512MB, 8kB, 100 (bytes): powers of 1024, as PostgreSQL reads them. */
    public static Optional<Long> sizeBytes(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return Optional.empty();
        }
        long unit = switch (m.group(2) == null ? "b" : m.group(2)) {
            case "kb" -> 1024L;
            case "mb" -> 1024L * 1024;
            case "gb" -> 1024L * 1024 * 1024;
            case "tb" -> 1024L * 1024 * 1024 * 1024;
            default -> 1L;
        };
        return Optional.of(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)).longValue());
    }

    public String format(Double value) {
        if (value == null) {
            return "none";
        }
        String n = value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf(value.longValue())
                : BigDecimal.valueOf(value).setScale(2, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
        return unit.isEmpty() ? n : n + (unit.equals("%") ? "%" : " " + unit);
    }
}
