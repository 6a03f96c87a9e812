package io.pgrunbook.runbook;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects problems so a loader can report all of them instead of stopping at the first. */
public final class Problems {
    private final List<Problem> list = new ArrayList<>();

    public void add(SourceLocation where, String message) {
        list.add(new Problem(where, message));
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    /** A read-only view, not a copy: callers that only count must not pay for the whole list. */
    public List<Problem> list() {
        return java.util.Collections.unmodifiableList(list);
    }

    public int size() {
        return list.size();
    }

    /** Throws when anything was collected, with the problems in file order. */
    public void throwIfAny() {
        if (!list.isEmpty()) {
            List<Problem> sorted = new ArrayList<>(list);
            sorted.sort(Comparator.comparingInt((Problem p) -> p.location().line())
                    .thenComparingInt(p -> p.location().column()));
            throw new RunbookInvalidException(sorted);
        }
    }
}
