package io.pgrunbook.engine;

import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;

/**
 * What a step type returns. Either rows, which the engine judges against the step's
 * {@code expect}, or a verdict the step type reached itself.
 */
public record StepOutcome(ResultTable table, Status verdict, String message, Evidence evidence) {

    /** Rows for the engine to judge. */
    public static StepOutcome rows(ResultTable table) {
        return new StepOutcome(table, null, null, null);
    }

    /** A verdict the step type reached itself, with its evidence. */
    public static StepOutcome verdict(Status status, String message, Evidence evidence) {
        return new StepOutcome(null, status, message, evidence);
    }
}
