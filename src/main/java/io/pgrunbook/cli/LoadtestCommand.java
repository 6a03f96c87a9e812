package io.pgrunbook.cli;

import io.pgrunbook.steps.loadtest.LoadtestOverrides;
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
                    + "--dry-run; off a terminal it needs --yes (not with --sandbox, which is thrown away). Exit 1 when an SLO fails.",
            "",
            "The options below work on any scenario: each sets the scenario's variable of that name when it declares one "
                    + "(as the shipped one does), else the same key of every loadtest step (--duration, --warmup, --connections "
                    + "and --rate-per-install under workload:).",
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

    @Option(names = "--duration", paramLabel = "DURATION", description = "Measured time, e.g. 60s (variable 'duration').")
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
        // Each option goes to the scenario's variable when it declares one (the shipped scenario does), else
        // straight to every loadtest step's keys, so the common options work on any scenario.
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("duration", duration);
        options.put("warmup", warmup);
        options.put("rate_per_install", ratePerInstall);
        options.put("connections", connections);
        options.put("seed", seed);
        options.put("histogram_out", histogramOut);
        options.put("html_report", html);
        options.put("baseline", baseline);
        options.put("baseline_tolerance", baselineTolerance);
        var loaded = load(invocation, vars.sets);
        var declared = loaded.vars().keySet();
        Map<String, String> sets = new LinkedHashMap<>(vars.sets);
        Map<String, Object> direct = new LinkedHashMap<>();
        options.forEach((name, value) -> {
            if (value != null && declared.contains(name)) {
                sets.put(name, String.valueOf(value));
            } else if (value != null) {
                direct.put(name.equals("histogram_out") ? "histogram_log" : name, value);
            }
        });
        // read again only when an option sets a variable (variables are expanded as the file is read)
        var runbook = LoadtestOverrides.apply(sets.equals(vars.sets) ? loaded : load(invocation, sets), direct);
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

    private io.pgrunbook.runbook.Runbook load(RunbookInvocation invocation, Map<String, String> sets) {
        return file == null ? invocation.loadShipped(SHIPPED, sets) : invocation.load(file, sets);
    }
}
