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

@Command(name = "verify-backup",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        header = "Prove a backup: its files against its manifest, then a restore drill that compares every table.",
        description = {
            "Level 1: manifest.json present and well formed, every file present with its recorded size and SHA-256 (every "
                    + "missing, extra or corrupt file named), pg_restore --list reads the archive. Level 2 (unless --no-drill): "
                    + "restore with pg_restore -j N into a scratch database it creates on the target (or on a throwaway local "
                    + "server with --sandbox), compare every table's row count with the manifest, check the indexes, "
                    + "constraints and RLS policies recorded at backup time, run the --check queries, and drop the scratch "
                    + "database afterwards, on failure too. Exit 1 on any mismatch.",
            "",
            "Examples:",
            "  pgrunbook verify-backup /backups/app/app-20250101T020000000Z --sandbox",
            "  pgrunbook verify-backup --latest /backups/app --max-age 26h --db postgres://ops@restore-host/postgres --yes -q",
            ""})
final class VerifyBackupCommand implements Callable<Integer> {
    private final AppEnvironment app;

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    static final class Which {
        @Parameters(index = "0", paramLabel = "BACKUP", description = "The backup directory (the one holding manifest.json).")
        Path backup;

        @Option(names = "--latest", paramLabel = "DIR", description = "Verify the newest complete backup in DIR.")
        Path latest;
    }

    @Option(names = "--max-age", paramLabel = "DURATION", description = "Fail when the backup finished longer ago than this (e.g. 26h).")
    String maxAge;

    @Option(names = "--no-drill", description = "Level 1 only: files and archive, no restore.")
    boolean noDrill;

    @Option(names = "--drill-db", paramLabel = "NAME", description = "Name of the scratch database (must not exist; default pgrunbook_drill_<random>).")
    String drillDb;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Parallel pg_restore jobs (default 2).")
    Integer jobs;

    @Option(names = "--check", paramLabel = "SQL", description = "A query run in the restored database that must return true; repeatable.")
    List<String> checks = new ArrayList<>();

    @Option(names = "--pg-restore", paramLabel = "PATH", description = "pg_restore to use (default: the PostgreSQL installation found).")
    String pgRestore;

    @Option(names = "--manifest-key-file", paramLabel = "FILE", description = "A file holding a key: checks the manifest with HMAC-SHA256 "
            + "(tamper evidence; default: $PGRUNBOOK_MANIFEST_KEY_FILE).")
    String manifestKeyFile;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "6h", description = "statement_timeout for the drill's own queries (default 6h).")
    String timeout;

    @Option(names = {"-y", "--yes"}, description = "Create and drop the scratch database without asking (implied by --sandbox and --no-drill).")
    boolean yes;

    @Option(names = "--dry-run", description = "Print the plan and do nothing.")
    boolean dryRun;

    @Mixin
    TargetOptions targets;

    @Mixin
    OutputOptions output;

    VerifyBackupCommand(AppEnvironment app) {
        this.app = app;
    }

    @Override
    public Integer call() {
        Map<String, Object> with = new LinkedHashMap<>();
        if (which.latest != null) {
            with.put("latest", which.latest.toString());
        } else {
            with.put("path", which.backup.toString());
        }
        BackupCommand.putIf(with, "max_age", maxAge);
        if (noDrill) {
            with.put("drill", false);
        }
        BackupCommand.putIf(with, "drill_db", drillDb);
        BackupCommand.putIf(with, "jobs", jobs);
        if (!checks.isEmpty()) {
            with.put("checks", checks);
        }
        BackupCommand.putIf(with, "pg_restore", pgRestore);
        BackupCommand.putIf(with, "manifest_key_file", manifestKeyFile != null ? manifestKeyFile : app.env().get("PGRUNBOOK_MANIFEST_KEY_FILE"));
        return BuiltIn.run(app, spec, output, targets, "verify-backup", "verify-backup", with, timeout, dryRun,
                yes || noDrill || targets.sandbox);
    }
}
