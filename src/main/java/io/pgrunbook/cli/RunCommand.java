package io.pgrunbook.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        header = "Run a runbook and report on every step.",
        description = {
            "Loads FILE strictly (every mistake reported with file:line:column), connects to its targets, "
                    + "runs each step and prints the report. Checks run in READ ONLY transactions with timeouts.",
            "",
            "Examples:",
            "  pgrunbook run runbooks/health.yaml --sandbox",
            "  pgrunbook run runbooks/health.yaml --db postgres://ops@db1/app -q --report junit=health.xml",
            "  pgrunbook run runbooks/db-operations.yaml --lock -q --report prometheus=/var/lib/node_exporter/pgrunbook.prom",
            ""})
final class RunCommand implements Callable<Integer> {
    private final AppEnvironment app;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The runbook (YAML).")
    Path file;

    @Mixin
    VarOptions vars;

    @Mixin
    TargetOptions targets;

    @Option(names = "--dry-run", description = "Print the plan (steps, targets, SQL, bound values) and connect to nothing.")
    boolean dryRun;

    @Option(names = {"-y", "--yes"}, description = "Run steps that write without asking (required when not on a terminal).")
    boolean yes;

    @Option(names = "--lock", description = "Take an advisory lock named after the runbook on its default target, so two runs "
            + "(e.g. overlapping cron jobs) never overlap; the second exits 3 naming the holder.")
    boolean lock;

    @Mixin
    OutputOptions output;

    RunCommand(AppEnvironment app) {
        this.app = app;
    }

    @Override
    public Integer call() {
        RunbookInvocation invocation = new RunbookInvocation(app, spec.commandLine().getOut(), spec.commandLine().getErr(), output, targets);
        var runbook = invocation.load(file, vars.sets, dryRun);
        if (dryRun) {
            return invocation.plan(invocation.withOverrides(runbook), lock);
        }
        return invocation.run(runbook, lock, yes);
    }
}
