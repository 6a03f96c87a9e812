package io.pgrunbook.report;

import java.util.Locale;

/** The outcome of one step (or one target of a fanned-out step), worst last. */
public enum Status {
    PASS,
    SKIP,
    WARN,
    FAIL,
    ERROR;

    public boolean worseThan(Status other) {
        return ordinal() > other.ordinal();
    }

    public static Status worst(Status a, Status b) {
        return a.worseThan(b) ? a : b;
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
