package io.pgrunbook.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "restore",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        header = "Restore a pgrunbook backup: verified first, a safety backup of what it replaces, the restore checklist after.",
        description = {
            "The backup is verified (manifest, every file's SHA-256, pg_restore --list) and refused if it fails (--force records "
                    + "an override). Whole database into a new or empty one (--into NAME creates it), or over an existing one with "
                    + "--clean (pg_restore --clean --if-exists); some tables' rows (--table, seed 003's --data-only) replaced in one "
                    + "transaction; or one tenant's rows from a tenant backup, replaced in one transaction, other tenants untouched. "
                    + "Before a database holding data is changed, a safety backup of what will be replaced is taken and verified "
                    + "(its path is in the report). One restore per target database at a time (advisory lock). After: row counts "
                    + "against the manifest, indexes, constraints, RLS enabled/forced and policies, sequences, migrations newer "
                    + "than the backup (with the command that reapplies them), pg_amcheck where amcheck is installed.",
            "",
            "Examples:",
            "  pgrunbook restore /backups/app/app-20260101T020000000Z \\",
            "      --db postgres://ops@db1/postgres --into app_restored --dry-run",
            "  pgrunbook restore --latest /backups/app --db postgres://ops@db1/app \\",
            "      --clean --confirm-source app",
            "  pgrunbook restore /backups/app/app-20260101T020000000Z \\",
            "      --db postgres://ops@db1/app -t orders -t order_items --data-only",
            "  pgrunbook restore /backups/t42/app-20260101T020000000Z \\",
            "      --db postgres://ops@db1/app --tenant 5f0c9c1e-8a52-4a5e-9d6b-2f1e0c7a9b42",
            ""})
final class RestoreCommand implements Callable<Integer> {
    private final AppEnvironment app;

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    static final class Which {
        @Parameters(index = "0", paramLabel = "BACKUP", description = "The backup directory (the one holding manifest.json).")
        Path backup;

        @Option(names = "--latest", paramLabel = "DIR", description = "Restore the newest complete backup in DIR.")
        Path latest;
    }

    @Option(names = "--into", paramLabel = "NAME", description = "Restore into this database (created when missing; default: the target's own).")
    String into;

    @Option(names = "--clean", description = "Replace a database that holds data (pg_restore --clean --if-exists), after a safety backup.")
    boolean clean;

    @Option(names = {"-t", "--table"}, paramLabel = "TABLE", description = "Only this table's rows (name or schema.name; %% and _ as in LIKE); repeatable.")
    List<String> tables = new ArrayList<>();

    @Option(names = "--data-only", description = "With --table: rows only, into the existing tables (seed 003's restore of specific tables).")
    boolean dataOnly;

    @Option(names = "--tenant", paramLabel = "ID", description = "From a tenant backup: replace this tenant's rows only (default: the backup's tenant).")
    String tenant;

    @Option(names = "--globals", description = "First create the backup's roles, memberships and tablespaces that the server lacks.")
    boolean globals;

    @Option(names = "--no-owner", description = "Restore without owners and grants (pg_restore --no-owner --no-acl).")
    boolean noOwner;

    @Option(names = "--force", description = "Restore a backup that fails verification (recorded in the report).")
    boolean force;

    @Option(names = "--no-safety-backup", description = "Do not back up what will be replaced first (recorded in the report).")
    boolean noSafetyBackup;

    @Option(names = "--safety-dir", paramLabel = "DIR", description = "Where the safety backup goes (default: pre-restore/ beside the backup).")
    String safetyDir;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Parallel pg_restore jobs (default 2).")
    Integer jobs;

    @Option(names = "--confirm-source", paramLabel = "NAME", description = "Restoring over the database the backup came from: type its name again.")
    String confirmSource;

    @Option(names = "--no-amcheck", description = "Do not run pg_amcheck on the restored database.")
    boolean noAmcheck;

    @Option(names = "--migrations-dir", paramLabel = "DIR", description = "Migrations directory, for the command that reapplies migrations newer than the backup.")
    String migrationsDir;

    @Option(names = "--pg-restore", paramLabel = "PATH", description = "pg_restore to use (default: the PostgreSQL installation found).")
    String pgRestore;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "6h", description = "statement_timeout for the restore's own statements (default 6h).")
    String timeout;

    @Option(names = {"-y", "--yes"}, description = "Restore without asking (required when not on a terminal).")
    boolean yes;

    @Option(names = "--dry-run", description = "Print the plan with row counts on both sides; change nothing.")
    boolean dryRun;

    @Mixin
    TargetOptions targets;

    @Mixin
    OutputOptions output;

    RestoreCommand(AppEnvironment app) {
        this.app = app;
    }

    @Override
    public Integer call() {
        RunbookInvocation invocation = new RunbookInvocation(app, spec.commandLine().getOut(), spec.commandLine().getErr(), output, targets);
        if (app.interactive() && !output.quiet) {
            // pg_restore's progress (tables loaded) every few seconds on stderr.
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.pgrunbook.steps.restore")).setLevel(ch.qos.logback.classic.Level.INFO);
        }
        if (dryRun) {
            // The dry run only reads (the counts on both sides): no confirmation needed.
            return invocation.run(invocation.loadTree(tree(true), "built-in:restore", Map.of()), false, true);
        }
        return invocation.run(invocation.loadTree(tree(false), "built-in:restore", Map.of()), false, yes);
    }

    Map<String, Object> tree(boolean dry) {
        Map<String, Object> with = new LinkedHashMap<>();
        if (which.latest != null) {
            with.put("latest", which.latest.toString());
        } else {
            with.put("path", which.backup.toString());
        }
        BackupCommand.putIf(with, "database", into);
        flag(with, "clean", clean);
        if (!tables.isEmpty()) {
            with.put("tables", tables);
        }
        flag(with, "data_only", dataOnly);
        BackupCommand.putIf(with, "tenant", tenant);
        flag(with, "globals", globals);
        flag(with, "no_owner", noOwner);
        flag(with, "force", force);
        if (noSafetyBackup) {
            with.put("safety_backup", false);
        }
        BackupCommand.putIf(with, "safety_dir", safetyDir);
        BackupCommand.putIf(with, "jobs", jobs);
        BackupCommand.putIf(with, "confirm_source", confirmSource);
        if (noAmcheck) {
            with.put("amcheck", false);
        }
        BackupCommand.putIf(with, "migrations_dir", migrationsDir);
        BackupCommand.putIf(with, "pg_restore", pgRestore);
        flag(with, "dry_run", dry);
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("id", dry ? "restore-plan" : "restore");
        step.put("type", "restore");
        step.put("timeout", timeout);
        step.put("with", with);
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("name", "restore");
        tree.put("steps", List.of(step));
        return tree;
    }

    private static void flag(Map<String, Object> with, String key, boolean on) {
        if (on) {
            with.put(key, true);
        }
    }
}
