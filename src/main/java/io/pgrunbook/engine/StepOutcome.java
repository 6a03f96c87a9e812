package io.pgrunbook.engine;

import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Metric;
import io.pgrunbook.report.Status;
import java.util.List;

/**
 * What a step type returns. Either rows, which the engine judges against the step's
 * {@code expect}, or a verdict the step type reached itself; either may carry metrics.
 */
public record StepOutcome(ResultTable table, Status verdict, String message, Evidence evidence, List<Metric> metrics) {

    public StepOutcome {
        metrics = metrics == null ? List.of() : List.copyOf(metrics);
    }

    /** Rows for the engine to judge. */
    public static StepOutcome rows(ResultTable table) {
        return new StepOutcome(table, null, null, null, List.of());
    }

    /** A verdict the step type reached itself, with its evidence. */
    public static StepOutcome verdict(Status status, String message, Evidence evidence) {
        return new StepOutcome(null, status, message, evidence, List.of());
    }

    public StepOutcome withMetrics(List<Metric> newMetrics) {
        return new StepOutcome(table, verdict, message, evidence, newMetrics);
    }
}
