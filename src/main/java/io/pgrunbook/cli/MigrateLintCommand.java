package io.pgrunbook.cli;

import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.Severity;
import io.pgrunbook.steps.migrate.LintContext;
import io.pgrunbook.steps.migrate.LintFormats;
import io.pgrunbook.steps.migrate.MigrationLint;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code migrate lint}: without a database a pure file check; with one, table sizes and the server's version. */
@Command(name = "lint", mixinStandardHelpOptions = true,
        description = {"What is unsafe in every migration, with file:line, why and the safer rewrite. Needs no database: "
                + "with none it checks the files alone; with --db it adds each table's size (on Citus, the distributed size) "
                + "and judges for the server's version.",
            "--format also takes sarif (SARIF 2.1.0 for code scanning) and github (workflow annotations). "
                + "Exit 0 when clean or with findings, 1 with findings under --safe, 2 on bad usage."})
final class MigrateLintCommand extends MigrateCommand.Base {
    @Option(names = "--safe", description = "Findings fail (exit 1) instead of warning.")
    boolean safe;

    @Option(names = "--pg-version", paramLabel = "VERSION",
            description = "The PostgreSQL version the rules judge for, e.g. 11 or 9.6 (default: the target's with --db, else the newest).")
    String pgVersion;

    MigrateLintCommand(AppEnvironment app) {
        super(app);
    }

    @Override
    String action() {
        return "lint";
    }

    @Override
    boolean writes() {
        return false;
    }

    @Override
    void with(Map<String, Object> with) {
        if (safe) {
            with.put("safe", true);
        }
        if (pgVersion != null) {
            with.put("pg_version", pgVersion);
        }
    }

    @Override
    public Integer call() {
        String format = output.format.toLowerCase(java.util.Locale.ROOT);
        boolean ownFormat = List.of("text", "sarif", "github").contains(format);
        if (!ownFormat) {
            io.pgrunbook.report.ReportFormat.parse(format);
        }
        if (common.dryRun) {
            return super.call();
        }
        int version;
        try {
            version = LintContext.parseVersion(pgVersion);
        } catch (IllegalArgumentException e) {
            throw PgRunbookException.invalid("--pg-version: " + e.getMessage());
        }
        RunbookInvocation invocation = new RunbookInvocation(app, spec.commandLine().getOut(), spec.commandLine().getErr(), output, targets);
        if (targets.db == null && targets.targets.isEmpty() && !targets.sandbox) {
            StepOutcome outcome;
            Instant started = Instant.now();
            try {
                outcome = MigrationLint.offline(common.dir, version, safe);
            } catch (io.pgrunbook.steps.migrate.MigrationException e) {
                throw PgRunbookException.invalid("migrate lint --dir " + common.dir + ": " + e.getMessage());
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("no database was asked, yet: " + e.getMessage(), e);
            }
            StepResult step = new StepResult("migrate-lint", "migrate lint (" + common.dir + ")", "migrate.check", null, Severity.CRITICAL,
                    outcome.verdict(), started, Duration.between(started, Instant.now()), outcome.message(), outcome.evidence(), null, 1, List.of());
            RunReport report = new RunReport("migrate-lint", null, "built-in:migrate lint", started, step.duration(),
                    Map.of("tool", "pgrunbook " + VersionProvider.version()), List.of(), List.of(step), null, null, false);
            return show(invocation, report, format, ownFormat);
        }
        return invocation.execute(runbook(invocation), false, false, report -> show(invocation, report, format, ownFormat));
    }

    private int show(RunbookInvocation invocation, RunReport report, String format, boolean ownFormat) {
        StepResult step = report.steps().isEmpty() ? null : report.steps().get(0);
        if (!ownFormat || step == null || step.evidence().columns().isEmpty()) {
            // JSON, JUnit and the rest, or an ERROR (cannot connect, bad directory) that has no findings to show.
            invocation.render(report, ownFormat ? io.pgrunbook.report.ReportFormat.TEXT : io.pgrunbook.report.ReportFormat.parse(format),
                    invocation.renderOptions());
        } else {
            List<List<Object>> rows = step.evidence().rows();
            String text = switch (format) {
                case "sarif" -> LintFormats.sarif(rows, VersionProvider.version());
                case "github" -> LintFormats.github(rows) + step.message() + "\n";
                default -> output.quiet && rows.isEmpty() ? "" : LintFormats.text(rows, step.message());
            };
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
        }
        for (io.pgrunbook.report.ReportSpec file : invocation.reportFiles()) {
            io.pgrunbook.report.ReportFiles.write(report, file, invocation.renderOptions());
        }
        return report.exitCode().code();
    }
}
