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
            "  pgrunbook verify-backup --pitr --latest /backups/base --archive /backups/wal --target-time 2026-12-06T03:00:00Z --db postgres://monitor@db1/postgres",
            "  pgrunbook verify-backup --pgbackrest-stanza main --check 'SELECT count(*) > 0 FROM orders' --database app --db postgres://monitor@db1/postgres",
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

        @Option(names = "--pgbackrest-stanza", paramLabel = "STANZA", description = "PITR drill from this pgBackRest stanza's newest backup (implies --pitr).")
        String stanza;
    }

    @Option(names = "--pitr", description = "Point-in-time recovery drill of a physical backup: a throwaway instance replays the WAL archive "
            + "to the target, promotes, runs the checks and amcheck; RTO and RPO against --max-rto/--max-rpo. Chosen by itself for a physical backup.")
    boolean pitr;

    @Option(names = "--archive", paramLabel = "DIR", description = "The WAL archive directory (where archive_command copies segments).")
    Path archive;

    @Option(names = "--pgbackrest-config", paramLabel = "FILE", description = "pgBackRest's configuration file (default /etc/pgbackrest/pgbackrest.conf).")
    String pgbackrestConfig;

    @Option(names = "--target-time", paramLabel = "TIME", description = "Recover to this time (2026-12-06T07:25:08Z); default: the end of the archive.")
    String targetTime;

    @Option(names = "--target-lsn", paramLabel = "LSN", description = "Recover to this WAL location (0/3000148).")
    String targetLsn;

    @Option(names = "--target-name", paramLabel = "NAME", description = "Recover to this restore point (pg_create_restore_point).")
    String targetName;

    @Option(names = "--max-rto", paramLabel = "DURATION", description = "Fail when restore + recovery take longer (default 1h).")
    String maxRto;

    @Option(names = "--max-rpo", paramLabel = "DURATION", description = "Fail when the newest archived WAL segment is older (default 15min).")
    String maxRpo;

    @Option(names = "--database", paramLabel = "NAME", description = "Database of the recovered instance that --check and amcheck run in (default postgres).")
    String database;

    @Option(names = "--no-amcheck", description = "Do not run pg_amcheck on the drill's restored database (or, with --pitr, the recovered instance).")
    boolean noAmcheck;

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
        if (pitr || which.stanza != null || PitrChoice.isPhysical(which.backup, which.latest)) {
            return pitr();
        }
        if (archive != null || targetTime != null || targetLsn != null || targetName != null || maxRto != null || maxRpo != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--archive, --target-* and --max-rto/--max-rpo are for a PITR drill "
                    + "of a physical backup: add --pitr (or name a physical backup)");
        }
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
        if (noAmcheck) {
            with.put("amcheck", false);
        }
        BackupCommand.putIf(with, "jobs", jobs);
        if (!checks.isEmpty()) {
            with.put("checks", checks);
        }
        BackupCommand.putIf(with, "pg_restore", pgRestore);
        BackupCommand.putIf(with, "manifest_key_file", manifestKeyFile != null ? manifestKeyFile : app.env().get("PGRUNBOOK_MANIFEST_KEY_FILE"));
        return BuiltIn.run(app, spec, output, targets, "verify-backup", "verify-backup", with, timeout, dryRun,
                yes || noDrill || targets.sandbox);
    }

    /** The built-in runbook of one pitr.verify step; the drill writes nothing to the target, so no confirmation. */
    private int pitr() {
        Map<String, Object> with = new LinkedHashMap<>();
        if (which.stanza != null) {
            with.put("pgbackrest_stanza", which.stanza);
            BackupCommand.putIf(with, "pgbackrest_config", pgbackrestConfig);
        } else {
            if (archive == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a PITR drill from a base backup needs --archive DIR, "
                        + "the WAL archive its server copies segments into (or use --pgbackrest-stanza)");
            }
            with.put(which.latest != null ? "latest" : "backup", (which.latest != null ? which.latest : which.backup).toString());
        }
        BackupCommand.putIf(with, "archive", archive == null ? null : archive.toString());
        BackupCommand.putIf(with, "target_time", targetTime);
        BackupCommand.putIf(with, "target_lsn", targetLsn);
        BackupCommand.putIf(with, "target_name", targetName);
        BackupCommand.putIf(with, "max_rto", maxRto);
        BackupCommand.putIf(with, "max_rpo", maxRpo);
        BackupCommand.putIf(with, "database", database);
        if (!checks.isEmpty()) {
            with.put("checks", checks);
        }
        if (noAmcheck) {
            with.put("amcheck", false);
        }
        if (noDrill) {
            with.put("drill", false);
        }
        return BuiltIn.run(app, spec, output, targets, "verify-backup", "pitr.verify", with, timeout, dryRun, true);
    }
}
