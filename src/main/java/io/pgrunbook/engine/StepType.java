package io.pgrunbook.engine;

import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.StepKind;
import java.util.ArrayList;
import java.util.List;

/**
 * A step type: one class plus one line in
 * {@code META-INF/services/io.pgrunbook.engine.StepType}. The engine handles targets, fan-out,
 * conditions, timeouts, retries, expectations, cancellation and reporting; a step type only does its
 * own work through the {@link StepContext} it is given.
 */
public interface StepType extends StepKind {

    StepOutcome execute(StepContext context) throws Exception;

    /**
     * Targets the step reaches through {@link StepContext#onTarget} besides its own (e.g. the shards
     * named in its parameters), so the engine opens them before the run, in parallel.
     */
    default java.util.Collection<String> otherTargets(Step step) {
        return List.of();
    }

    /**
     * Whether this step changes the database: by default what {@link #writes()} says of the type; a type
     * whose parameters choose between reading and writing (e.g. an action: plan or run) says it per step,
     * so a read-only step is neither shown as WRITES nor asked to be confirmed.
     */
    default boolean writes(Step step) {
        return writes();
    }

    /** The lines a plan (--dry-run) shows for a step of this type, after its header. */
    default List<String> describe(Step step) {
        List<String> lines = new ArrayList<>();
        if (step.sql() != null) {
            lines.addAll(step.sql().text().strip().lines().toList());
        }
        step.with().forEach((k, v) -> lines.add(k + ": " + show(v)));
        return lines;
    }

    /** A parameter's value as a runbook writes it: durations as 5min or 750ms, not Java's PT5M. */
    static String show(Object value) {
        return value instanceof java.time.Duration d ? io.pgrunbook.runbook.load.Durations.show(d) : String.valueOf(value);
    }
}
