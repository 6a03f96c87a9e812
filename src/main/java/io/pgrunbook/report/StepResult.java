package io.pgrunbook.report;

import io.pgrunbook.runbook.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The result of one step. A step fanned out over several targets has one child per target and the
 * worst child's status; {@code target} is then null.
 *
 * @param sqlState the server's SQLSTATE when the step ended in a database error, else null
 * @param attempts how many times the step ran (more than 1 after retries)
 * @param metrics  measurements the step type reported (for Prometheus and JSON), often empty
 * @param exitCode the exit code an ERROR carries when the step type could not run at all (a missing or
 *                 too old external tool: CANNOT_RUN), else null
 */
public record StepResult(
        String stepId,
        String name,
        String type,
        String target,
        Severity severity,
        Status status,
        Instant startedAt,
        Duration duration,
        String message,
        Evidence evidence,
        String sqlState,
        int attempts,
        List<StepResult> children,
        List<Metric> metrics,
        io.pgrunbook.error.ExitCode exitCode) {

    public StepResult {
        evidence = evidence == null ? Evidence.none() : evidence;
        children = children == null ? List.of() : List.copyOf(children);
        duration = duration == null ? Duration.ZERO : duration;
        metrics = metrics == null ? List.of() : List.copyOf(metrics);
    }

    /** A result without a carried exit code. */
    public StepResult(String stepId, String name, String type, String target, Severity severity, Status status,
            Instant startedAt, Duration duration, String message, Evidence evidence, String sqlState, int attempts,
            List<StepResult> children, List<Metric> metrics) {
        this(stepId, name, type, target, severity, status, startedAt, duration, message, evidence, sqlState, attempts,
                children, metrics, null);
    }

    /** A result without metrics. */
    public StepResult(String stepId, String name, String type, String target, Severity severity, Status status,
            Instant startedAt, Duration duration, String message, Evidence evidence, String sqlState, int attempts,
            List<StepResult> children) {
        this(stepId, name, type, target, severity, status, startedAt, duration, message, evidence, sqlState, attempts,
                children, List.of(), null);
    }

    public boolean isFannedOut() {
        return !children.isEmpty();
    }

    /** The results that ran against one target: the children of a fanned-out step, else this step. */
    public List<StepResult> leaves() {
        return isFannedOut() ? children.stream().flatMap(c -> c.leaves().stream()).toList() : List.of(this);
    }
}
