package io.pgrunbook.runbook;

import java.util.Locale;

/** How much a failing step matters: a failed critical step fails the run; a warning does not. */
public enum Severity {
    CRITICAL,
    WARNING;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
