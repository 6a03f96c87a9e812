package io.pgrunbook.engine;

import io.pgrunbook.db.AdvisoryLock;
import io.pgrunbook.db.ConnectionSpec;
import io.pgrunbook.db.SqlStates;
import io.pgrunbook.db.TargetPool;
import io.pgrunbook.error.ExitCode;
import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.report.TargetInfo;
import io.pgrunbook.runbook.OnFailure;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.TargetSpec;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a runbook: opens its targets, takes the run lock when asked, runs the steps in order (a
 * fanned-out step on its targets in parallel, bounded), and returns one report. It knows nothing of
 * what steps do: step types are plug-ins found in the {@link StepRegistry}.
 */
public final class Engine {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Engine.class);
    private static final Map<Status, String> PAST = Map.of(Status.PASS, "passed", Status.WARN, "warned",
            Status.FAIL, "failed", Status.ERROR, "errored", Status.SKIP, "skipped");
    private final StepRegistry registry;

    public Engine(StepRegistry registry) {
        this.registry = registry;
    }

    public RunReport run(Runbook runbook, RunOptions options, Cancellation cancellation) {
        Instant start = Instant.now();
        Map<String, ConnectionSpec> specs = new LinkedHashMap<>();
        for (String name : connectedTargets(runbook, registry)) {
            TargetSpec t = runbook.targets().get(name);
            specs.put(name, ConnectionSpec.parse(t.connection(), options.env()));
        }
        Map<String, TargetPool> pools = new LinkedHashMap<>();
        try {
            TargetHealth health = new TargetHealth();
            try {
                openAll(runbook, specs, pools, health);
            } catch (PgRunbookException e) {
                return notRun(runbook, options, start, specs, pools, e.getMessage(), e.exitCode());
            }
            String tooOld = tooOld(runbook, pools);
            if (tooOld != null) {
                return notRun(runbook, options, start, specs, pools, tooOld, ExitCode.CANNOT_RUN);
            }
            AdvisoryLock lock = null;
            if (options.lock() && !specs.isEmpty()) {
                String lockName = specs.containsKey(runbook.defaultTarget()) ? runbook.defaultTarget() : specs.keySet().iterator().next();
                TargetPool lockTarget = pools.get(lockName);
                if (lockTarget == null) {
                    return notRun(runbook, options, start, specs, pools, "cannot take the run lock: target '" + lockName
                            + "' is unavailable: " + health.whyDown(lockName).orElse("not open"), ExitCode.CANNOT_RUN);
                }
                try {
                    AdvisoryLock.Result r = AdvisoryLock.tryAcquire(lockTarget, "pgrunbook:" + runbook.name());
                    if (r.lock().isEmpty()) {
                        return notRun(runbook, options, start, specs, pools, "another run of runbook '" + runbook.name()
                                + "' holds its lock on target '" + lockTarget.name() + "': " + r.heldBy()
                                + "; wait for it to finish, or run without --lock", ExitCode.CANNOT_RUN);
                    }
                    lock = r.lock().get();
                } catch (SQLException e) {
                    return notRun(runbook, options, start, specs, pools, "cannot take the run lock on target '"
                            + lockTarget.name() + "': " + SqlStates.describe(e), ExitCode.CANNOT_RUN);
                }
            }
            try {
                long began = System.nanoTime();
                List<StepResult> results = runSteps(runbook, pools, health, cancellation);
                LOG.debug("{} steps ran in {} ms{}", results.size(), (System.nanoTime() - began) / 1_000_000, slowest(results));
                return report(runbook, options, start, specs, pools, results, null, null, cancellation.isCancelled());
            } finally {
                if (lock != null) {
                    lock.close();
                }
            }
        } finally {
            long began = System.nanoTime();
            pools.values().forEach(TargetPool::close);
            LOG.debug("targets closed in {} ms", (System.nanoTime() - began) / 1_000_000);
        }
    }

    private List<StepResult> runSteps(Runbook runbook, Map<String, TargetPool> pools, TargetHealth health, Cancellation cancellation) {
        StepRunner runner = new StepRunner(cancellation, health, java.util.Collections.unmodifiableMap(pools));
        List<StepResult> results = new ArrayList<>();
        String stoppedBy = null;
        for (Step step : runbook.steps()) {
            if (stoppedBy != null || cancellation.isCancelled()) {
                String why = cancellation.isCancelled() ? "not run: interrupted" : "not run: step '" + stoppedBy + "' failed and has on_failure: stop";
                results.add(StepRunner.result(step, step.fanOut() ? null : step.targets().get(0), Status.SKIP, Instant.now(), why, Evidence.none(), null, 0));
                continue;
            }
            StepType type = registry.get(step.type());
            StepResult r = step.fanOut()
                    ? fanOut(step, type, runbook.vars(), runner)
                    : runner.run(step, type, step.targets().get(0), runbook.vars());
            results.add(r);
            if (step.onFailure() == OnFailure.STOP && (r.status() == Status.FAIL || r.status() == Status.ERROR)) {
                stoppedBy = step.id();
            }
        }
        return results;
    }

    /** One sub-result per target, at most {@code parallel} at a time; the step takes the worst status. */
    private StepResult fanOut(Step step, StepType type, Map<String, Object> vars, StepRunner runner) {
        Instant start = Instant.now();
        int threads = Math.max(1, Math.min(step.parallel(), step.targets().size()));
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "pgrunbook-" + step.id() + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        List<StepResult> children = new ArrayList<>();
        try {
            List<Future<StepResult>> futures = new ArrayList<>();
            for (String target : step.targets()) {
                futures.add(executor.submit(() -> runner.run(step, type, target, vars)));
            }
            for (int i = 0; i < futures.size(); i++) {
                try {
                    children.add(futures.get(i).get());
                } catch (ExecutionException e) {
                    children.add(StepRunner.result(step, step.targets().get(i), Status.ERROR, start,
                            "failed: " + e.getCause(), Evidence.none(), null, 1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    children.add(StepRunner.result(step, step.targets().get(i), Status.ERROR, start, "interrupted", Evidence.none(), null, 1));
                }
            }
        } finally {
            executor.shutdownNow();
        }
        Status worst = children.stream().map(StepResult::status).reduce(Status.PASS, Status::worst);
        if (children.stream().allMatch(c -> c.status() == Status.SKIP)) {
            worst = Status.SKIP;
        }
        Map<Status, Long> counts = new java.util.EnumMap<>(Status.class);
        children.forEach(c -> counts.merge(c.status(), 1L, Long::sum));
        String message = children.size() + (children.size() == 1 ? " target: " : " targets: ") + counts.entrySet().stream()
                .map(e -> e.getValue() + " " + PAST.get(e.getKey())).reduce((a, b) -> a + ", " + b).orElse("");
        return new StepResult(step.id(), step.displayName(), step.type(), null, step.severity(), worst, start,
                Duration.between(start, Instant.now()), message, Evidence.none(), null,
                children.stream().mapToInt(StepResult::attempts).max().orElse(0), children);
    }

    /** The targets some step runs on or reaches through {@link StepType#otherTargets} (a shard's replicas). */
    static Set<String> usedTargets(Runbook runbook, StepRegistry registry) {
        Set<String> used = new LinkedHashSet<>();
        for (Step s : runbook.steps()) {
            used.addAll(s.targets());
            registry.find(s.type()).ifPresent(t -> used.addAll(t.otherTargets(s)));
        }
        used.retainAll(runbook.targets().keySet());
        return used;
    }

    /** The used targets that some step needs a connection to (a step with a condition always does). */
    static Set<String> connectedTargets(Runbook runbook, StepRegistry registry) {
        Set<String> used = new LinkedHashSet<>();
        for (Step s : runbook.steps()) {
            boolean needs = s.when() != null || registry.find(s.type()).map(t -> t.needsDatabase(s)).orElse(true);
            if (needs) {
                used.addAll(s.targets());
                registry.find(s.type()).ifPresent(t -> used.addAll(t.otherTargets(s)));
            }
        }
        used.retainAll(runbook.targets().keySet());
        return used;
    }

    /**
     * How many targets are opened at once: enough that a few hundred dead targets (refusing, or
     * hanging until connect_timeout) cost one connect timeout, not one per batch; bounded, because
     * each opening target is a thread and a socket (docs/poolers.md, "Many targets").
     */
    static final int PARALLEL_CONNECTS = 256;

    /**
     * Opens every target in parallel, so a dead one costs its connect timeout once. A target that
     * cannot be reached is marked down: its steps end in ERROR with the reason while the others
     * run (one dead shard must not hide the state of the rest). When no target can be reached, or
     * a password is refused (a mistake, not an outage), the run cannot start: exit 3.
     */
    private static void openAll(Runbook runbook, Map<String, ConnectionSpec> specs, Map<String, TargetPool> pools, TargetHealth health) {
        ExecutorService executor = Executors.newFixedThreadPool(Math.max(1, Math.min(PARALLEL_CONNECTS, specs.size())), r -> {
            Thread t = new Thread(r, "pgrunbook-connect");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<String, Future<TargetPool>> futures = new LinkedHashMap<>();
            specs.forEach((name, spec) -> {
                TargetSpec t = runbook.targets().get(name);
                futures.put(name, executor.submit(() -> {
                    long began = System.nanoTime();
                    TargetPool pool = TargetPool.open(name, spec, t.poolMin(), t.poolMax());
                    LOG.debug("target {} ({}, {}) opened in {} ms", name, spec.display(), pool.serverInfo().version(),
                            (System.nanoTime() - began) / 1_000_000);
                    return pool;
                }));
            });
            Map<String, PgRunbookException> failures = new LinkedHashMap<>();
            for (Map.Entry<String, Future<TargetPool>> f : futures.entrySet()) {
                try {
                    pools.put(f.getKey(), f.getValue().get());
                } catch (ExecutionException e) {
                    failures.put(f.getKey(), e.getCause() instanceof PgRunbookException p ? p
                            : PgRunbookException.cannotRun("cannot connect to target '" + f.getKey() + "': " + e.getCause()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new PgRunbookException(ExitCode.INTERRUPTED, "interrupted while connecting");
                }
            }
            boolean refusedPassword = failures.values().stream().anyMatch(e -> e.getMessage().startsWith("authentication failed"));
            if (!failures.isEmpty() && (pools.isEmpty() || refusedPassword)) {
                throw failures.values().stream().filter(e -> e.getMessage().startsWith("authentication failed")).findFirst()
                        .orElse(failures.values().iterator().next());
            }
            failures.forEach((name, e) -> {
                LOG.debug("target {} is unavailable: {}", name, e.getMessage());
                health.markDown(name, null, e.getMessage());
            });
        } finally {
            executor.shutdownNow();
        }
    }

    private static String tooOld(Runbook runbook, Map<String, TargetPool> pools) {
        if (runbook.minServerVersion() == null) {
            return null;
        }
        for (TargetPool p : pools.values()) {
            if (!p.isConsole() && p.serverInfo().major() < runbook.minServerVersion()) {
                return "target '" + p.name() + "' runs " + p.serverInfo().version() + "; runbook '" + runbook.name()
                        + "' requires PostgreSQL " + runbook.minServerVersion() + " or later";
            }
        }
        return null;
    }

    private static RunReport notRun(Runbook runbook, RunOptions options, Instant start, Map<String, ConnectionSpec> specs,
            Map<String, TargetPool> pools, String why, ExitCode code) {
        List<StepResult> skipped = runbook.steps().stream()
                // the reason is the run's error, reported once; each step only says it did not run
                .map(s -> StepRunner.result(s, s.fanOut() ? null : s.targets().get(0), Status.SKIP, start,
                        code == ExitCode.INTERRUPTED ? "not run: interrupted" : "not run: the run could not start (see the run error)",
                        Evidence.none(), null, 0))
                .toList();
        return report(runbook, options, start, specs, pools, skipped, why, code, code == ExitCode.INTERRUPTED);
    }

    private static RunReport report(Runbook runbook, RunOptions options, Instant start, Map<String, ConnectionSpec> specs,
            Map<String, TargetPool> pools, List<StepResult> steps, String runError, ExitCode code, boolean interrupted) {
        List<TargetInfo> targets = new ArrayList<>();
        specs.forEach((name, spec) -> {
            TargetPool p = pools.get(name);
            targets.add(new TargetInfo(name, spec.display(), p == null ? null : p.serverInfo().version()));
        });
        return new RunReport(runbook.name(), runbook.description(), runbook.source(), start, Duration.between(start, Instant.now()),
                options.environment(), targets, steps, runError, code, interrupted);
    }

    /** Names the step that took longest, for -v: where a slow run spent its time. */
    static String slowest(List<StepResult> results) {
        return results.stream().max(java.util.Comparator.comparing(StepResult::duration))
                .map(r -> "; slowest step: " + r.stepId() + " (" + r.duration().toMillis() + " ms)").orElse("");
    }
}
