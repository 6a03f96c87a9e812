package io.pgrunbook.engine;

import io.pgrunbook.runbook.expect.CompareOp;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** Compares an observed value with an expected one: numbers as numbers, SQL NULL as IS NULL. */
final class Values {
    private Values() {}

    static boolean test(Object actual, CompareOp op, Object expected) {
        return switch (op) {
            case IN -> ((List<?>) expected).stream().anyMatch(e -> equal(actual, e));
            case NOT_IN -> ((List<?>) expected).stream().noneMatch(e -> equal(actual, e));
            case EQ -> equal(actual, expected);
            case NE -> !equal(actual, expected);
            default -> {
                if (actual == null || expected == null) {
                    yield false;
                }
                int c = compare(actual, expected);
                yield switch (op) {
                    case LT -> c < 0;
                    case LE -> c <= 0;
                    case GT -> c > 0;
                    default -> c >= 0;
                };
            }
        };
    }

    static boolean equal(Object actual, Object expected) {
        if (actual == null || expected == null) {
            return actual == expected;
        }
        BigDecimal a = number(actual);
        BigDecimal e = number(expected);
        if (a != null && e != null) {
            return a.compareTo(e) == 0;
        }
        Boolean ab = bool(actual);
        Boolean eb = bool(expected);
        if (ab != null && eb != null && (actual instanceof Boolean || expected instanceof Boolean)) {
            return ab.equals(eb);
        }
        return Objects.equals(String.valueOf(actual), String.valueOf(expected));
    }

    private static int compare(Object actual, Object expected) {
        BigDecimal a = number(actual);
        BigDecimal e = number(expected);
        if (a != null && e != null) {
            return a.compareTo(e);
        }
        return String.valueOf(actual).compareTo(String.valueOf(expected));
    }

    static BigDecimal number(Object v) {
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof Double d) {
            return BigDecimal.valueOf(d);
        }
        if (v instanceof Number n) {
            return new BigDecimal(n.toString());
        }
        if (v instanceof String s && !s.isBlank()) {
            try {
                return new BigDecimal(s.trim());
            } catch (NumberFormatException ex) {
                return null;
            }
        }
        return null;
    }

    private static Boolean bool(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "t", "true" -> true;
                case "f", "false" -> false;
                default -> null;
            };
        }
        return null;
    }

    static String show(Object v) {
        if (v == null) {
            return "NULL";
        }
        return v instanceof String s ? "'" + s + "'" : String.valueOf(v);
    }
}
