package io.pgrunbook.report;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Just enough of the exposition format to read back one sample line written by PrometheusRenderer. */
final class PrometheusSample {
    private PrometheusSample() {}

    /** The last-success time on {@code line} when it is that sample for {@code runbook}, else null. */
    static Instant lastSuccess(String line, String runbook) {
        String prefix = PrometheusRenderer.LAST_SUCCESS + "{";
        if (!line.startsWith(prefix)) {
            return null;
        }
        Map<String, String> labels = new HashMap<>();
        int end = parseLabels(line, prefix.length(), labels);
        if (end < 0 || !runbook.equals(labels.get("runbook"))) {
            return null;
        }
        String[] rest = line.substring(end).trim().split("\\s+");
        try {
            double seconds = Double.parseDouble(rest[0]);
            if (!Double.isFinite(seconds) || seconds <= 0 || seconds > 1e11) {
                return null;
            }
            return Instant.ofEpochMilli(Math.round(seconds * 1000));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Parses {@code name="value",...}} starting at {@code i}; returns the index after '}', or -1. */
    private static int parseLabels(String line, int i, Map<String, String> labels) {
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '}') {
                return i + 1;
            }
            if (c == ',') {
                i++;
                continue;
            }
            int eq = line.indexOf('=', i);
            if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                return -1;
            }
            String name = line.substring(i, eq).trim();
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            for (; j < line.length() && line.charAt(j) != '"'; j++) {
                char v = line.charAt(j);
                if (v == '\\' && j + 1 < line.length()) {
                    char n = line.charAt(++j);
                    value.append(n == 'n' ? '\n' : n);
                } else {
                    value.append(v);
                }
            }
            if (j >= line.length()) {
                return -1;
            }
            labels.put(name, value.toString());
            i = j + 1;
        }
        return -1;
    }
}
