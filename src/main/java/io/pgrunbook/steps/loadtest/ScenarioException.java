package io.pgrunbook.steps.loadtest;

/** A scenario that cannot be run as written; the message names the key (e.g. {@code operations.get.weight}). */
public final class ScenarioException extends RuntimeException {
    public ScenarioException(String message) {
        super(message);
    }
}
