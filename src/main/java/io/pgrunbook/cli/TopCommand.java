package io.pgrunbook.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "pgrunbook",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        synopsisSubcommandLabel = "COMMAND",
        header = "PostgreSQL operations runbooks as YAML that a machine runs and reports on.",
        description = {
            "Runs each step of a runbook against real databases and reports PASS, WARN, FAIL, ERROR or SKIP "
                    + "for every step, with the evidence. Checks run in read-only transactions with timeouts; "
                    + "steps that write are shown in a plan and need confirmation.",
            "",
            "Start with: pgrunbook run runbooks/health.yaml --sandbox",
            "       or: pgrunbook plan runbooks/health.yaml   (what would run, connecting to nothing)"},
        footerHeading = "%nConnections:%n",
        footer = {"postgres:// URIs, libpq 'host=... dbname=...' strings and jdbc:postgresql:// URLs; PGHOST, PGPORT, "
                + "PGDATABASE, PGUSER, PGPASSWORD, PGSERVICE, ~/.pgpass and pg_service.conf work as with psql. "
                + "Passwords are never printed."})
final class TopCommand implements Runnable {
    /** The subcommands, in the order --help lists them; Cli registers them (all, or only the one a command line names). */
    static final java.util.List<Class<?>> SUBCOMMANDS = java.util.List.of(RunCommand.class, PlanCommand.class, ValidateShardsCommand.class, ShardMoveCommand.class, RebalanceCommand.class, BackupCommand.class, VerifyBackupCommand.class, RestoreCommand.class, MigrateCommand.class, TtlSweepCommand.class, LoadtestCommand.class, SandboxCommand.class, TypesCommand.class, CompletionCommand.class);

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a command, e.g. 'pgrunbook run FILE' (see --help)");
    }
}
