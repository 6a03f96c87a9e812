package io.pgrunbook.cli;

import io.pgrunbook.steps.loadtest.LoadtestProgress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "loadtest",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        header = "Run a load-test runbook and judge its SLOs (p95 per operation class, errors, deadlocks, hot shard).",
        description = {
            "Runs FILE (default: the shipped runbooks/loadtest-storage.yaml, the seed 001 storage scenario): loads its data, "
                    + "drives its operations at the target rate (open model, latency from the intended start) or as fast as "
                    + "N connections go (closed model), and reports one PASS/FAIL row per SLO. It WRITES: review the plan with "
                    + "--dry-run; off a terminal it needs --yes. Exit 1 when an SLO fails.",
            "",
            "Examples:",
            "  pgrunbook loadtest --sandbox",
            "  pgrunbook loadtest --sandbox --duration 15s --warmup 2s --report json=loadtest.json",
            "  pgrunbook loadtest runbooks/loadtest-storage.yaml --db postgres://ops@staging/storage --yes --histogram-out lt.hlog",
            "  pgrunbook loadtest --sandbox --report json=today.json --html today.html --baseline yesterday.json",
            ""})
final class LoadtestCommand implements Callable<Integer> {
    static final String SHIPPED = "loadtest-storage.yaml";
    private final AppEnvironment app;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "The load-test runbook (default: the shipped " + SHIPPED + ").")
    Path file;

    @Option(names = "--duration", paramLabel = "DURATION", description = "Measured time, e.g. 60s (sets the runbook's 'duration' variable).")
    String duration;

    @Option(names = "--warmup", paramLabel = "DURATION", description = "Warm-up before measuring, excluded from results (variable 'warmup').")
    String warmup;

    @Option(names = "--rate-per-install", paramLabel = "RATE", description = "Open-model rate per install, e.g. 200/min (variable 'rate_per_install').")
    String ratePerInstall;

    @Option(names = "--connections", paramLabel = "N", description = "Worker connections (variable 'connections').")
    Integer connections;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the data and of every draw (variable 'seed').")
    Long seed;

    @Option(names = "--histogram-out", paramLabel = "FILE", description = "Write each operation's HdrHistogram to FILE for regression tracking (variable 'histogram_out').")
    String histogramOut;

    @Option(names = "--html", paramLabel = "FILE", description = "Write a self-contained HTML report (verdicts, percentiles, charts) to FILE (variable 'html_report').")
    String html;

    @Option(names = "--baseline", paramLabel = "FILE", description = "A previous run's JSON report: FAIL when an operation's p95 is more than the tolerance slower (variable 'baseline').")
    String baseline;

    @Option(names = "--baseline-tolerance", paramLabel = "FRACTION", description = "How much slower a p95 may be than its baseline: 0.2 (the default) allows 20 %%, and always at least 1 ms (variable 'baseline_tolerance').")
    Double baselineTolerance;

    @Mixin
    VarOptions vars;

    @Mixin
    TargetOptions targets;

    @Option(names = "--dry-run", description = "Print the plan (scenario, SQL, generators) and connect to nothing.")
    boolean dryRun;

    @Option(names = {"-y", "--yes"}, description = "Run without asking (required when not on a terminal): a load test writes.")
    boolean yes;

    @Option(names = "--lock", description = "Take an advisory lock named after the runbook, so two load tests never overlap.")
    boolean lock;

    @Mixin
    OutputOptions output;

    LoadtestCommand(AppEnvironment app) {
        this.app = app;
    }

    @Override
    public Integer call() {
        RunbookInvocation invocation = new RunbookInvocation(app, spec.commandLine().getOut(), spec.commandLine().getErr(), output, targets);
        Map<String, String> sets = new LinkedHashMap<>(vars.sets);
        put(sets, "duration", duration);
        put(sets, "warmup", warmup);
        put(sets, "rate_per_install", ratePerInstall);
        put(sets, "connections", connections);
        put(sets, "seed", seed);
        put(sets, "histogram_out", histogramOut);
        put(sets, "html_report", html);
        put(sets, "baseline", baseline);
        put(sets, "baseline_tolerance", baselineTolerance);
        var runbook = file == null ? invocation.loadShipped(SHIPPED, sets) : invocation.load(file, sets);
        if (dryRun) {
            return invocation.plan(invocation.withOverrides(runbook), lock);
        }
        // Live progress only for a person watching: a terminal, and not --quiet (cron and CI get the report alone).
        if (!app.interactive() || output.quiet) {
            return invocation.run(runbook, lock, yes);
        }
        try (var ignored = LoadtestProgress.to(spec.commandLine().getErr())) {
            return invocation.run(runbook, lock, yes);
        }
    }

    private static void put(Map<String, String> sets, String name, Object value) {
        if (value != null) {
            sets.put(name, String.valueOf(value));
        }
    }
}
