package io.pgrunbook.steps.checks;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL setting values made comparable: 512MB against shared_buffers' "65536" in 8kB pages,
 * 750ms against statement_timeout's "750", on against "true". Memory in bytes, time in milliseconds.
 */
final class SettingValues {
    private static final Pattern NUMBER_UNIT = Pattern.compile("(-?\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]*)");

    private SettingValues() {}

    /**
     * The value in base units (bytes or ms), or empty when it is not a number.
     *
     * @param settingUnit pg_settings.unit (8kB, kB, MB, ms, s, min), used when the value has no unit
     */
    static Optional<Double> numeric(String value, String settingUnit) {
        Matcher m = NUMBER_UNIT.matcher(value.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2).isEmpty() ? (settingUnit == null ? "" : settingUnit) : m.group(2);
        Optional<Double> factor = factor(unit);
        return factor.map(f -> n * f);
    }

    private static Optional<Double> factor(String unit) {
        String u = unit.trim();
        Matcher scaled = Pattern.compile("(\\d+)([a-zA-Z]+)").matcher(u);
        if (scaled.matches()) { // "8kB": pages
            return factor(scaled.group(2)).map(f -> f * Long.parseLong(scaled.group(1)));
        }
        return Optional.ofNullable(switch (u) {
            case "" -> 1.0;
            case "B" -> 1.0;
            case "kB" -> 1024.0;
            case "MB" -> 1024.0 * 1024;
            case "GB" -> 1024.0 * 1024 * 1024;
            case "TB" -> 1024.0 * 1024 * 1024 * 1024;
            case "us" -> 0.001;
            case "ms" -> 1.0;
            case "s" -> 1000.0;
            case "min" -> 60_000.0;
            case "h" -> 3_600_000.0;
            case "d" -> 86_400_000.0;
            default -> null;
        });
    }

    /** Booleans in any of PostgreSQL's spellings, everything else case-insensitively. */
    static String canonical(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "on", "true", "yes", "1" -> "on";
            case "off", "false", "no", "0" -> "off";
            default -> v;
        };
    }

    /** Whether an actual value satisfies an expected one: equal numbers or words, or within {min, max}. */
    static boolean satisfies(String actual, Object expected, String settingUnit) {
        if (expected instanceof java.util.Map<?, ?> range) {
            Optional<Double> a = numeric(actual, settingUnit);
            if (a.isEmpty()) {
                return false;
            }
            Object min = range.get("min");
            Object max = range.get("max");
            boolean ok = true;
            if (min != null) {
                ok &= numeric(min.toString(), settingUnit).map(m -> a.get() >= m - 1e-9).orElse(false);
            }
            if (max != null) {
                ok &= numeric(max.toString(), settingUnit).map(m -> a.get() <= m + 1e-9).orElse(false);
            }
            return ok;
        }
        String e = String.valueOf(expected);
        Optional<Double> a = numeric(actual, settingUnit);
        Optional<Double> x = numeric(e, settingUnit);
        if (a.isPresent() && x.isPresent()) {
            return Math.abs(a.get() - x.get()) <= 1e-9 * Math.max(1, Math.abs(x.get()));
        }
        return canonical(actual).equals(canonical(e));
    }

    private static final String[][] MEMORY = {{"TB", "1099511627776"}, {"GB", "1073741824"}, {"MB", "1048576"}, {"kB", "1024"}};
    private static final String[][] TIME = {{"d", "86400000"}, {"h", "3600000"}, {"min", "60000"}, {"s", "1000"}};

    /**
     * A setting as a reader writes it: shared_buffers' "16384" in 8kB pages as "128 MB", statement_timeout's
     * "300000" (ms) as "5 min", in the largest unit that shows it exactly. Values without a unit, and the
     * negative ones that mean "default" or "off", as they are.
     */
    static String display(String value, String settingUnit) {
        if (settingUnit == null || settingUnit.isBlank()) {
            return value;
        }
        Optional<Double> base = numeric(value, settingUnit);
        if (base.isEmpty() || base.get() < 0 || base.get() != Math.rint(base.get())) {
            return value + " (" + settingUnit + ")";
        }
        long n = base.get().longValue();
        boolean memory = factor(settingUnit).isPresent() && settingUnit.endsWith("B");
        String[][] units = memory ? MEMORY : TIME;
        for (String[] u : units) {
            long size = Long.parseLong(u[1]);
            if (n != 0 && n % size == 0) {
                return n / size + " " + u[0];
            }
        }
        return n + (memory ? " bytes" : " ms");
    }
}
