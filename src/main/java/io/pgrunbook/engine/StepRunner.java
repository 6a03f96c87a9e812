package io.pgrunbook.engine;

import io.pgrunbook.db.SqlStates;
import io.pgrunbook.db.TargetPool;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.Condition;
import io.pgrunbook.runbook.Severity;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.sql.NamedSql;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one step on one target: its condition, its attempts with backoff, and the verdict. */
final class StepRunner {
    private static final Logger LOG = LoggerFactory.getLogger(StepRunner.class);
    private static final NamedSql HAS_EXTENSION = NamedSql.parse("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = :extension)");

    private final Cancellation cancellation;
    private final TargetHealth health;
    private final Map<String, TargetPool> pools;

    StepRunner(Cancellation cancellation, TargetHealth health, Map<String, TargetPool> pools) {
        this.cancellation = cancellation;
        this.health = health;
        this.pools = pools;
    }

    StepResult run(Step step, StepType type, String targetName, Map<String, Object> vars) {
        Instant start = Instant.now();
        TargetPool target = pools.get(targetName);
        if (cancellation.isCancelled()) {
            return result(step, targetName, Status.SKIP, start, "not run: interrupted", Evidence.none(), null, 0);
        }
        Optional<String> down = health.downMessage(targetName, step.id());
        if (target == null && down.isEmpty() && step.when() == null && !type.needsDatabase(step)) {
            return runWithoutDatabase(step, type, targetName, vars, start);
        }
        if (down.isPresent() || target == null) {
            return result(step, targetName, Status.ERROR, start, down.orElse("target '" + targetName + "' is unavailable: it was not opened"),
                    Evidence.none(), null, 0);
        }
        StepContext context = new StepContext(step, target, pools, vars, cancellation, health);
        try {
            Optional<String> skip = unmet(step.when(), context);
            if (skip.isPresent()) {
                return result(step, targetName, Status.SKIP, start, "skipped: " + skip.get(), Evidence.none(), null, 0);
            }
        } catch (SQLException e) {
            return error(step, targetName, start, "when: " + SqlStates.describe(e), e, 1);
        }

        int attempt = 1;
        while (true) {
            try {
                StepResult r = judge(step, targetName, start, type.execute(context), attempt);
                if (isFailure(r.status()) && step.retry().onFail() && attempt <= step.retry().count()) {
                    if (!pause(step, attempt + 1)) {
                        return interrupted(step, targetName, start, attempt, r.message());
                    }
                    LOG.debug("step {} on {} failed its expectation (attempt {}); trying again", step.id(), targetName, attempt);
                    attempt++;
                    continue;
                }
                return r;
            } catch (SQLException e) {
                if (cancellation.isCancelled()) {
                    return error(step, targetName, start, "interrupted: the statement was cancelled on the server", e, attempt);
                }
                if (SqlStates.isTransient(e) && step.retry().onError() && attempt <= step.retry().count()) {
                    if (!pause(step, attempt + 1)) {
                        return interrupted(step, targetName, start, attempt, SqlStates.describe(e));
                    }
                    LOG.debug("step {} on {} hit {} (attempt {}); trying again", step.id(), targetName, SqlStates.state(e), attempt);
                    attempt++;
                    continue;
                }
                if (SqlStates.isConnectionLost(e)) {
                    health.markDown(targetName, step.id(), "lost during step '" + step.id() + "': " + SqlStates.describe(e));
                }
                return error(step, targetName, start, explain(e, step), e, attempt);
            } catch (io.pgrunbook.error.PgRunbookException e) {
                // A failure the user can act on (a tool missing or too old): its message, and its exit code.
                StepResult r = result(step, targetName, Status.ERROR, start, e.getMessage(), Evidence.none(), null, attempt);
                return new StepResult(r.stepId(), r.name(), r.type(), r.target(), r.severity(), r.status(), r.startedAt(),
                        r.duration(), r.message(), r.evidence(), r.sqlState(), r.attempts(), r.children(), r.metrics(), e.exitCode());
            } catch (TargetUnavailableException e) {
                return result(step, targetName, Status.ERROR, start, e.getMessage(), Evidence.none(), null, attempt);
            } catch (Exception e) {
                LOG.debug("step {} failed with an unexpected exception", step.id(), e);
                return result(step, targetName, Status.ERROR, start, "step type '" + step.type() + "' failed: " + e,
                        Evidence.none(), null, attempt);
            }
        }
    }

    /** A step that needs no connection (it reads files only): run once, no retries on SQL errors to speak of. */
    private StepResult runWithoutDatabase(Step step, StepType type, String targetName, Map<String, Object> vars, Instant start) {
        StepContext context = new StepContext(step, targetName, pools, vars, cancellation, health);
        try {
            return judge(step, targetName, start, type.execute(context), 1);
        } catch (io.pgrunbook.error.PgRunbookException e) {
            StepResult r = result(step, targetName, Status.ERROR, start, e.getMessage(), Evidence.none(), null, 1);
            return new StepResult(r.stepId(), r.name(), r.type(), r.target(), r.severity(), r.status(), r.startedAt(),
                    r.duration(), r.message(), r.evidence(), r.sqlState(), r.attempts(), r.children(), r.metrics(), e.exitCode());
        } catch (Exception e) {
            LOG.debug("step {} failed with an unexpected exception", step.id(), e);
            return result(step, targetName, Status.ERROR, start, "step type '" + step.type() + "' failed: " + e, Evidence.none(), null, 1);
        }
    }

    private StepResult judge(Step step, String target, Instant start, StepOutcome outcome, int attempt) {
        StepResult r = verdict(step, target, start, outcome, attempt);
        return outcome.metrics().isEmpty() ? r : new StepResult(r.stepId(), r.name(), r.type(), r.target(), r.severity(),
                r.status(), r.startedAt(), r.duration(), r.message(), r.evidence(), r.sqlState(), r.attempts(), r.children(),
                outcome.metrics(), r.exitCode());
    }

    private StepResult verdict(Step step, String target, Instant start, StepOutcome outcome, int attempt) {
        if (outcome.verdict() != null) {
            Status s = soften(outcome.verdict(), step.severity());
            String message = isFailure(s) && step.message() != null ? step.message() + " (" + outcome.message() + ")" : outcome.message();
            return result(step, target, s, start, message, outcome.evidence(), null, attempt);
        }
        ResultTable table = outcome.table();
        int maxRows = step.expect() == null ? io.pgrunbook.runbook.expect.Expectation.DEFAULT_MAX_ROWS : step.expect().maxRows();
        if (step.expect() == null) {
            Evidence ev = ExpectationEvaluator.observed(table, maxRows);
            return result(step, target, Status.PASS, start, ev.observed(), ev, null, attempt);
        }
        ExpectationEvaluator.Verdict v = ExpectationEvaluator.evaluate(step.expect(), table);
        if (v.invalid() != null) {
            return result(step, target, Status.ERROR, start, v.invalid(), v.evidence(), null, attempt);
        }
        if (v.passed()) {
            return result(step, target, Status.PASS, start, v.evidence().observed(), v.evidence(), null, attempt);
        }
        Status s = soften(Status.FAIL, step.severity());
        String message = step.message() != null ? step.message() : "expected " + v.evidence().expected() + "; observed " + v.evidence().observed();
        return result(step, target, s, start, message, v.evidence(), null, attempt);
    }

    /** A failed warning-severity step is a warning, not a failure. */
    private static Status soften(Status s, Severity severity) {
        return s == Status.FAIL && severity == Severity.WARNING ? Status.WARN : s;
    }

    private static boolean isFailure(Status s) {
        return s == Status.FAIL || s == Status.WARN;
    }

    /** Why the step's condition does not hold, or empty when it does. */
    private Optional<String> unmet(Condition when, StepContext context) throws SQLException {
        if (when == null) {
            return Optional.empty();
        }
        if (when.minServerVersion() != null && context.server().major() < when.minServerVersion()) {
            return Optional.of("server is " + context.server().version() + ", step needs " + when.minServerVersion() + " or later");
        }
        if (when.extension() != null) {
            ResultTable t = context.withVars(Map.of("extension", when.extension())).query(HAS_EXTENSION);
            if (!Boolean.TRUE.equals(t.rows().get(0).get(0))) {
                return Optional.of("extension " + when.extension() + " is not installed");
            }
        }
        if (when.sql() != null) {
            ResultTable t = context.query(when.sql());
            Object v = t.rows().isEmpty() || t.columns().isEmpty() ? null : t.rows().get(0).get(0);
            if (!Boolean.TRUE.equals(v)) {
                // A second column, when the condition gives one, is the reason in the runbook's words.
                Object reason = t.rows().isEmpty() || t.columns().size() < 2 ? null : t.rows().get(0).get(1);
                return Optional.of(reason != null && !reason.toString().isBlank() ? reason.toString()
                        : "when.sql returned " + (v == null ? "no true value" : v));
            }
        }
        return Optional.empty();
    }

    private static StepResult interrupted(Step step, String target, Instant start, int attempts, String last) {
        return result(step, target, Status.ERROR, start, "interrupted while waiting to try again (last attempt: " + last + ")",
                Evidence.none(), null, attempts);
    }

    private boolean pause(Step step, int nextAttempt) {
        Duration delay = step.retry().delayBefore(nextAttempt);
        long until = System.nanoTime() + delay.toNanos();
        while (System.nanoTime() < until) {
            if (cancellation.isCancelled()) {
                return false;
            }
            try {
                Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !cancellation.isCancelled();
    }

    private static String explain(SQLException e, Step step) {
        String base = SqlStates.describe(e);
        return switch (SqlStates.state(e)) {
            case SqlStates.QUERY_CANCELED -> base + " (the step's timeout is " + io.pgrunbook.runbook.load.Durations.show(step.timeout())
                    + "; raise it with timeout: if the query is expected to take longer)";
            case SqlStates.LOCK_NOT_AVAILABLE -> base + " (waited lock_timeout " + io.pgrunbook.runbook.load.Durations.show(step.lockTimeout())
                    + " for a lock another session holds)";
            case SqlStates.READ_ONLY_TRANSACTION -> base + " (a '" + step.type() + "' step runs read-only; use type: sql.exec for statements that write)";
            default -> base;
        };
    }

    private static StepResult error(Step step, String target, Instant start, String message, SQLException e, int attempts) {
        return result(step, target, Status.ERROR, start, message, Evidence.none(), SqlStates.state(e).isEmpty() ? null : SqlStates.state(e), attempts);
    }

    static StepResult result(Step step, String target, Status status, Instant start, String message, Evidence evidence, String sqlState, int attempts) {
        return new StepResult(step.id(), step.displayName(), step.type(), target, step.severity(), status, start,
                Duration.between(start, Instant.now()), message, evidence, sqlState, attempts, List.of());
    }
}
