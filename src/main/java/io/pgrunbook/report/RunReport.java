package io.pgrunbook.report;

import io.pgrunbook.error.ExitCode;
import io.pgrunbook.runbook.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The one report model every renderer reads.
 *
 * @param runbook     the runbook's name
 * @param source      the file it came from, or a description such as "built-in"
 * @param environment tool version, host, user, java version: recorded so a report explains itself later
 * @param runError    why the run could not start or was cut short (exit 3 or 130), else null
 * @param interrupted true when Ctrl-C cut the run short
 */
public record RunReport(
        String runbook,
        String description,
        String source,
        Instant startedAt,
        Duration duration,
        Map<String, String> environment,
        List<TargetInfo> targets,
        List<StepResult> steps,
        String runError,
        ExitCode runErrorCode,
        boolean interrupted) {

    public RunReport {
        environment = environment == null ? Map.of() : Map.copyOf(environment);
        targets = targets == null ? List.of() : List.copyOf(targets);
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    /** How the process should end, per the documented exit codes. */
    public ExitCode exitCode() {
        if (interrupted) {
            return ExitCode.INTERRUPTED;
        }
        if (runError != null) {
            return runErrorCode == null ? ExitCode.CANNOT_RUN : runErrorCode;
        }
        for (StepResult step : steps) {
            for (StepResult leaf : step.leaves()) {
                if (leaf.status() == Status.ERROR && leaf.exitCode() != null) {
                    return leaf.exitCode();
                }
            }
        }
        boolean anyRan = false;
        for (StepResult step : steps) {
            if (step.status() != Status.SKIP) {
                anyRan = true;
            }
            if (step.status() == Status.ERROR) {
                return ExitCode.CHECK_FAILED;
            }
            if (step.status() == Status.FAIL && step.severity() == Severity.CRITICAL) {
                return ExitCode.CHECK_FAILED;
            }
        }
        return anyRan ? ExitCode.OK : ExitCode.CHECK_FAILED;
    }

    /** The overall status: the worst step status, ERROR when the run could not start. */
    public Status overall() {
        if (runError != null) {
            return Status.ERROR;
        }
        Status worst = Status.PASS;
        boolean anyRan = false;
        for (StepResult step : steps) {
            worst = Status.worst(worst, step.status());
            anyRan |= step.status() != Status.SKIP;
        }
        return anyRan ? worst : Status.SKIP;
    }

    public long count(Status status) {
        return steps.stream().filter(s -> s.status() == status).count();
    }
}
