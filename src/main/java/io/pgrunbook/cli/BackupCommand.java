package io.pgrunbook.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "backup",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        header = "Back up a database with pg_dump, with a manifest that proves what was dumped.",
        description = {
            "Runs the real pg_dump (directory format, parallel, by default) into DIR/.NAME-TIMESTAMP.partial, hashes every "
                    + "file and counts every table's rows from the dump itself, writes and syncs manifest.json last, then renames "
                    + "the backup to DIR/NAME-TIMESTAMP. A failed or killed backup never looks complete. Checks first that pg_dump "
                    + "is at least the server's major version (exit 3 otherwise), that DIR is writable and has room for the "
                    + "estimated size + 15 %%.",
            "",
            "Examples:",
            "  pgrunbook backup --db postgres://backup@db1/app --dir /backups/app --keep-last 7 -q",
            "  pgrunbook backup --db postgres://backup@db1/app --dir /backups/t42 --table 'ext_storage_%%' --tenant 5f0c2a9e-61b4-4d8e-9a57-3f2d1c0b9e41",
            "  pgrunbook backup --db postgres://backup@db1/app --dir /backups/app --keep-days 14 --dry-run",
            "  pgrunbook backup --physical --db postgres://replicator@db1/postgres --dir /backups/base --keep-last 4",
            ""})
final class BackupCommand implements Callable<Integer> {
    private final AppEnvironment app;

    @Spec
    CommandSpec spec;

    @Option(names = "--physical", description = "A physical backup of the whole cluster with pg_basebackup (tar, gzip, WAL included, "
            + "backup_manifest), for point-in-time recovery with verify-backup --pitr.")
    boolean physical;

    @Option(names = "--pg-basebackup", paramLabel = "PATH", description = "pg_basebackup to use with --physical (default: the installation found).")
    String pgBasebackup;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Directory that holds the backups.")
    Path dir;

    @Option(names = "--backup-format", paramLabel = "FORMAT", description = "directory (default; parallel) or custom (one file).")
    String format;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Parallel pg_dump jobs (directory format; default 2).")
    Integer jobs;

    @Option(names = "--schema-only", description = "Dump the schema without data.")
    boolean schemaOnly;

    @Option(names = "--table", paramLabel = "PATTERN", description = "Only tables matching this SQL LIKE pattern (name or schema.name); repeatable.")
    List<String> tables = new ArrayList<>();

    @Option(names = "--exclude-table", paramLabel = "PATTERN", description = "Leave out tables matching this LIKE pattern; repeatable.")
    List<String> excludeTables = new ArrayList<>();

    @Option(names = "--tenant", paramLabel = "VALUE", description = "Export only this tenant's rows of the --table tables, beside the whole schema.")
    String tenant;

    @Option(names = "--tenant-column", paramLabel = "COLUMN", description = "The tenant column (default tenant_id).")
    String tenantColumn;

    @Option(names = "--keep-last", paramLabel = "N", description = "Retention: keep the newest N complete backups of this database.")
    Integer keepLast;

    @Option(names = "--keep-days", paramLabel = "D", description = "Retention: keep complete backups younger than D days.")
    Integer keepDays;

    @Option(names = "--name", paramLabel = "NAME", description = "Name prefix of the backup directories (default: the database name).")
    String name;

    @Option(names = "--pg-dump", paramLabel = "PATH", description = "pg_dump to use (default: the PostgreSQL installation found).")
    String pgDump;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "6h", description = "statement_timeout for the backup's own queries (default 6h).")
    String timeout;

    @Option(names = "--dry-run", description = "Print the plan (pg_dump command, destination, what retention would remove) and do nothing.")
    boolean dryRun;

    @Mixin
    TargetOptions targets;

    @Mixin
    OutputOptions output;

    BackupCommand(AppEnvironment app) {
        this.app = app;
    }

    @Override
    public Integer call() {
        if (physical) {
            return physical();
        }
        Map<String, Object> with = new LinkedHashMap<>();
        with.put("dir", dir.toString());
        putIf(with, "format", format);
        putIf(with, "jobs", jobs);
        if (schemaOnly) {
            with.put("schema_only", true);
        }
        if (!tables.isEmpty()) {
            with.put("tables", tables);
        }
        if (!excludeTables.isEmpty()) {
            with.put("exclude_tables", excludeTables);
        }
        putIf(with, "tenant", tenant);
        putIf(with, "tenant_column", tenantColumn);
        putIf(with, "keep_last", keepLast);
        putIf(with, "keep_days", keepDays);
        putIf(with, "name", name);
        putIf(with, "pg_dump", pgDump);
        return BuiltIn.run(app, spec, output, targets, "backup", "backup", with, timeout, dryRun, true);
    }

    /** pg_basebackup backs up the whole cluster: the pg_dump options have no meaning there. */
    private int physical() {
        if (format != null || jobs != null || schemaOnly || !tables.isEmpty() || !excludeTables.isEmpty() || tenant != null || pgDump != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--physical backs up the whole cluster with pg_basebackup: "
                    + "it cannot be combined with --backup-format, --jobs, --schema-only, --table, --exclude-table, --tenant or --pg-dump");
        }
        Map<String, Object> with = new LinkedHashMap<>();
        with.put("dir", dir.toString());
        putIf(with, "keep_last", keepLast);
        putIf(with, "keep_days", keepDays);
        putIf(with, "name", name);
        putIf(with, "pg_basebackup", pgBasebackup);
        return BuiltIn.run(app, spec, output, targets, "backup", "backup.physical", with, timeout, dryRun, true);
    }

    static void putIf(Map<String, Object> with, String key, Object value) {
        if (value != null) {
            with.put(key, value);
        }
    }
}
