package io.pgrunbook.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "plan",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        header = "Show what a run would do, connecting to nothing.",
        description = {
            "Validates FILE and prints each step, its target, its SQL and the values it would bind, and which "
                    + "steps write. Exits 0 when the runbook is valid, 2 when it is not. Same as 'run --dry-run', with the "
                    + "same target, variable and sandbox options; an ${env:NAME} that is not set here is shown as written.",
            "",
            "Examples:",
            "  pgrunbook plan runbooks/health.yaml",
            "  pgrunbook plan runbooks/health.yaml --db postgres://ops@db1/app --set long_running='10 minutes' --lock",
            "  pgrunbook plan runbooks/backup.yaml --sandbox",
            ""})
final class PlanCommand implements Callable<Integer> {
    private final AppEnvironment app;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The runbook (YAML).")
    Path file;

    @Mixin
    VarOptions vars;

    @Mixin
    TargetOptions targets;

    @Option(names = "--lock", description = "Show the advisory lock a --lock run would take.")
    boolean lock;

    @Option(names = {"-v", "--verbose"}, description = "Debug logging on stderr.")
    boolean verbose;

    PlanCommand(AppEnvironment app) {
        this.app = app;
    }

    @Override
    public Integer call() {
        OutputOptions output = new OutputOptions();
        output.verbose = verbose;
        RunbookInvocation invocation = new RunbookInvocation(app, spec.commandLine().getOut(), spec.commandLine().getErr(), output, targets);
        return invocation.plan(invocation.withOverrides(invocation.load(file, vars.sets, true)), lock);
    }
}
