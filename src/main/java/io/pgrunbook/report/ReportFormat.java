package io.pgrunbook.report;

import io.pgrunbook.error.PgRunbookException;
import java.util.Locale;

/** The formats a report can be rendered in. */
public enum ReportFormat {
    TEXT,
    JSON,
    JUNIT,
    PROMETHEUS,
    NAGIOS;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code text|json|junit|prometheus|nagios} (or {@code prom}), ignoring case. */
    public static ReportFormat parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "text" -> TEXT;
            case "json" -> JSON;
            case "junit" -> JUNIT;
            case "prometheus", "prom" -> PROMETHEUS;
            case "nagios" -> NAGIOS;
            default -> throw PgRunbookException.invalid(
                    "unknown report format '" + value + "': use one of text, json, junit, prometheus, nagios");
        };
    }
}
