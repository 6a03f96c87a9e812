package io.pgrunbook.runbook.load;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as PostgreSQL settings write them (500ms, 30s, 5min, 1h, 1d; "0" alone means none) or
 * with the unit words of its interval input (500 milliseconds, 1 second, 5 minutes, 2 hours, 1 day),
 * so a value that also goes into SQL as {@code ::interval} reads the same here. One amount and one
 * unit: "1h30min" and "1 hour 30 minutes" are refused.
 */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|msecs?|milliseconds?|s|secs?|seconds?"
            + "|min|mins|minutes?|m|h|hours?|d|days?)");

    private Durations() {}

    public static Optional<Duration> parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return Optional.of(Duration.ZERO);
        }
        Matcher m = FORM.matcher(t);
        if (!m.matches()) {
            return Optional.empty();
        }
        BigDecimal amount = new BigDecimal(m.group(1));
        BigDecimal millisPerUnit = switch (m.group(2)) {
            case "ms", "msec", "msecs", "millisecond", "milliseconds" -> BigDecimal.ONE;
            case "s", "sec", "secs", "second", "seconds" -> BigDecimal.valueOf(1_000);
            case "min", "mins", "m", "minute", "minutes" -> BigDecimal.valueOf(60_000);
            case "h", "hour", "hours" -> BigDecimal.valueOf(3_600_000);
            default -> BigDecimal.valueOf(86_400_000);
        };
        try {
            // Rounded up: a positive amount stays positive (0.4ms is 1ms, never the "0" that means no limit).
            return Optional.of(Duration.ofMillis(amount.multiply(millisPerUnit).setScale(0, RoundingMode.UP).longValueExact()));
        } catch (ArithmeticException tooLong) {
            return Optional.empty();
        }
    }

    /**
     * The form PostgreSQL accepts for statement_timeout and lock_timeout, in whole milliseconds rounded
     * up: PostgreSQL reads 0 as "no limit", so only a zero duration may become 0.
     */
    public static String toSetting(Duration d) {
        return ceilMillis(d) + "ms";
    }

    /** Whole milliseconds, rounded up: any positive duration is at least 1. */
    public static long ceilMillis(Duration d) {
        long ms = d.toMillis();
        return d.minusMillis(ms).isZero() || d.isNegative() ? ms : ms + 1;
    }

    /** Short human form for plans and reports. */
    public static String show(Duration d) {
        long ms = ceilMillis(d);
        if (ms == 0) {
            return "0";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "min";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }
}
