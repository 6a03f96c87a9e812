package io.pgrunbook.runbook.expect;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What a step's result must satisfy: all assertions must hold.
 *
 * @param maxRows how many offending rows a failure report shows
 */
public record Expectation(List<Assertion> assertions, int maxRows) {
    public static final int DEFAULT_MAX_ROWS = 10;

    public Expectation {
        assertions = List.copyOf(assertions);
    }

    @Override
    public String toString() {
        return assertions.stream().map(Object::toString).collect(Collectors.joining(" and "));
    }
}
