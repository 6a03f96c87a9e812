package io.pgrunbook.steps.migrate;

/** A problem with the migrations themselves (names, versions, history), reported as the step's error. */
public class MigrationException extends RuntimeException {
    public MigrationException(String message) {
        super(message);
    }
}
