package io.pgrunbook.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A measurement a step reports beside its verdict (rows deleted, backup age, backlog), rendered as
 * a Prometheus metric family with the runbook, step and target labels added; also in the JSON report.
 *
 * @param type gauge or counter, as Prometheus means them
 */
public record Metric(String name, String type, String help, Map<String, String> labels, double value) {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    public Metric {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid metric name '" + name + "'");
        }
        if (!type.equals("gauge") && !type.equals("counter")) {
            throw new IllegalArgumentException("metric type must be gauge or counter, not '" + type + "'");
        }
        labels = labels == null ? Map.of() : new LinkedHashMap<>(labels);
        for (String label : labels.keySet()) {
            if (!LABEL.matcher(label).matches() || label.startsWith("__")) {
                throw new IllegalArgumentException("invalid label name '" + label + "' on metric " + name);
            }
        }
        labels = java.util.Collections.unmodifiableMap(labels);
    }

    public static Metric gauge(String name, String help, Map<String, String> labels, double value) {
        return new Metric(name, "gauge", help, labels, value);
    }

    public static Metric counter(String name, String help, Map<String, String> labels, double value) {
        return new Metric(name, "counter", help, labels, value);
    }
}
