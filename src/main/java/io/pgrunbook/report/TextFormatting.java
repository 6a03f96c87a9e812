package io.pgrunbook.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Small formatting rules shared by the renderers. */
final class TextFormatting {
    static final int MAX_CELL = 60;
    static final String ELLIPSIS = "\u2026";

    private TextFormatting() {}

    /** "12 ms", "1.24 s", "3m 05s": short enough for a step line. */
    static String humanDuration(Duration d) {
        long ms = d == null ? 0 : d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return seconds(ms) + " s";
        }
        long s = ms / 1000;
        return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
    }

    /**
     * Milliseconds as seconds with two decimals, rounded half up ("1.24"): what {@code %.2f} of ms / 1000.0
     * prints, without the Formatter, whose first use loads locale data at every start.
     */
    static String seconds(long ms) {
        return java.math.BigDecimal.valueOf(ms, 3).setScale(2, java.math.RoundingMode.HALF_UP).toPlainString();
    }

    /** Seconds as a plain decimal with millisecond precision, e.g. "0.012", "3", "1718000000.5". */
    static String seconds(Duration d) {
        return d == null ? "0" : millisAsSeconds(d.toMillis());
    }

    /** A sample value as Prometheus writes it: integers without a fraction, NaN and infinities by name. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    static String millisAsSeconds(long millis) {
        BigDecimal s = BigDecimal.valueOf(millis).divide(BigDecimal.valueOf(1000), 3, RoundingMode.UNNECESSARY);
        s = s.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0).toPlainString() : s.toPlainString();
    }

    /**
     * Makes text safe for a terminal: control characters (ESC above all, which could rewrite the
     * screen) become visible escapes; newlines and tabs survive only when {@code multiLine}.
     */
    static String printable(String s, boolean multiLine) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (multiLine && (c == '\n' || c == '\t')) {
                b.append(c);
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c == '\r') {
                b.append(multiLine ? "" : "\\r");
            } else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
                b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** One evidence cell as text: NULL for SQL null, lists as [a, b], one line, at most MAX_CELL chars. */
    static String cell(Object value) {
        String s = value == null ? "NULL" : printable(String.valueOf(value), false);
        return truncate(s, MAX_CELL);
    }

    /** Longest value text shows in full; beyond it the value is cut and its full size stated. */
    static final int MAX_SHOWN = 4000;

    /** One evidence cell in full (up to {@link #MAX_SHOWN} characters), for layouts that wrap. */
    static String fullCell(Object value) {
        String s = value == null ? "NULL" : printable(String.valueOf(value), false);
        int length = width(s);
        return length <= MAX_SHOWN ? s : truncate(s, MAX_SHOWN) + " (" + length + " characters in all)";
    }

    /** Splits text into lines of at most {@code width} characters, at spaces where there is one. */
    static List<String> wrap(String text, int width) {
        List<String> out = new ArrayList<>();
        String rest = text;
        while (width(rest) > width) {
            int cut = rest.offsetByCodePoints(0, width);
            int space = rest.lastIndexOf(' ', cut);
            int end = space > width / 2 ? space : cut;
            out.add(rest.substring(0, end).stripTrailing());
            rest = rest.substring(end).stripLeading();
        }
        out.add(rest);
        return out;
    }

    static String truncate(String s, int max) {
        if (s.codePointCount(0, s.length()) <= max) {
            return s;
        }
        return s.substring(0, s.offsetByCodePoints(0, max - 1)) + ELLIPSIS;
    }

    static int width(String s) {
        return s.codePointCount(0, s.length());
    }

    static String pad(String s, int width, boolean right) {
        int gap = width - width(s);
        if (gap <= 0) {
            return s;
        }
        return right ? " ".repeat(gap) + s : s + " ".repeat(gap);
    }

    static String plural(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    static List<String> lines(String s) {
        return List.of(s.split("\n", -1));
    }
}
