package io.pgrunbook.report;

/**
 * A target as the report shows it: its display form never contains a password.
 *
 * @param serverVersion e.g. "PostgreSQL 15.18", or null when it was never reached
 */
public record TargetInfo(String name, String display, String serverVersion) {}
