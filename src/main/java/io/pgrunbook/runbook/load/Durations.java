package io.pgrunbook.runbook.load;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as PostgreSQL settings write them: 500ms, 30s, 5min, 1h, 1d ("0" alone means none). */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|sec|secs|min|mins|m|h|d)");

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
            case "ms" -> BigDecimal.ONE;
            case "s", "sec", "secs" -> BigDecimal.valueOf(1_000);
            case "min", "mins", "m" -> BigDecimal.valueOf(60_000);
            case "h" -> BigDecimal.valueOf(3_600_000);
            default -> BigDecimal.valueOf(86_400_000);
        };
        try {
            return Optional.of(Duration.ofMillis(amount.multiply(millisPerUnit).setScale(0, RoundingMode.DOWN).longValueExact()));
        } catch (ArithmeticException tooLong) {
            return Optional.empty();
        }
    }

    /** The form PostgreSQL accepts for statement_timeout and lock_timeout. */
    public static String toSetting(Duration d) {
        return d.toMillis() + "ms";
    }

    /** Short human form for plans and reports. */
    public static String show(Duration d) {
        long ms = d.toMillis();
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
