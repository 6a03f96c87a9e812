package io.pgrunbook.steps.loadtest;

import io.pgrunbook.error.Suggest;
import io.pgrunbook.runbook.load.Durations;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Reading a scenario's plain values (maps, numbers, durations) with messages that name the key. */
final class Scenarios {
    private Scenarios() {}

    static Map<?, ?> map(String path, Object value) {
        if (value instanceof Map<?, ?> m) {
            return m;
        }
        throw new ScenarioException(path + ": expected a mapping, not " + describe(value));
    }

    static List<?> list(String path, Object value) {
        if (value instanceof List<?> l) {
            return l;
        }
        throw new ScenarioException(path + ": expected a list, not " + describe(value));
    }

    static void onlyKeys(String path, Map<?, ?> map, List<String> allowed) {
        for (Object k : map.keySet()) {
            String key = String.valueOf(k);
            if (!allowed.contains(key)) {
                throw new ScenarioException(path + ": unknown key '" + key + "'" + Suggest.hint(key, allowed) + " (allowed: "
                        + String.join(", ", allowed) + ")");
            }
        }
    }

    static long longValue(String path, Object value, Long fallback) {
        if (value == null) {
            if (fallback == null) {
                throw new ScenarioException(path + " is required");
            }
            return fallback;
        }
        try {
            BigDecimal d = value instanceof Number n ? new BigDecimal(n.toString()) : new BigDecimal(String.valueOf(value).strip());
            return d.longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw new ScenarioException(path + ": expected a whole number, not " + describe(value));
        }
    }

    static long positive(String path, Object value, Long fallback) {
        long v = longValue(path, value, fallback);
        if (v < 1) {
            throw new ScenarioException(path + ": must be at least 1, not " + v);
        }
        return v;
    }

    static double doubleValue(String path, Object value, Double fallback) {
        if (value == null) {
            if (fallback == null) {
                throw new ScenarioException(path + " is required");
            }
            return fallback;
        }
        try {
            double d = value instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(value).strip());
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new ScenarioException(path + ": expected a number, not " + describe(value));
        }
    }

    static Duration duration(String path, Object value, Duration fallback) {
        if (value == null) {
            if (fallback == null) {
                throw new ScenarioException(path + " is required");
            }
            return fallback;
        }
        if (value instanceof Duration d) {
            return d;
        }
        return Durations.parse(String.valueOf(value).strip())
                .orElseThrow(() -> new ScenarioException(path + ": expected a duration such as 500ms, 30s, 5min, not " + describe(value)));
    }

    static String string(String path, Object value, String fallback) {
        if (value == null) {
            if (fallback == null) {
                throw new ScenarioException(path + " is required");
            }
            return fallback;
        }
        if (value instanceof Map || value instanceof List) {
            throw new ScenarioException(path + ": expected a string, not " + describe(value));
        }
        return String.valueOf(value);
    }

    static boolean bool(String path, Object value, boolean fallback) {
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String s = String.valueOf(value);
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new ScenarioException(path + ": expected true or false, not " + describe(value));
    }

    static String describe(Object value) {
        if (value instanceof Map) {
            return "a mapping";
        }
        if (value instanceof List) {
            return "a list";
        }
        return value == null ? "nothing" : "'" + value + "'";
    }
}
