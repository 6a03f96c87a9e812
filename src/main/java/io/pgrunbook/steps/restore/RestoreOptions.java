package io.pgrunbook.steps.restore;

import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.ValueKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The {@code with:} of a restore step, read once. */
record RestoreOptions(String path, String latest, String database, boolean clean, List<String> tables, boolean dataOnly,
        String tenant, boolean globals, boolean noOwner, boolean force, boolean safetyBackup, String safetyDir, int jobs,
        boolean dryRun, String confirmSource, boolean amcheck, String pgRestore, String migrationsDir) {

    enum Mode { WHOLE, TABLES, TENANT }

    static final List<ParamSpec> PARAMETERS = List.of(
            ParamSpec.optional("path", ValueKind.STRING, "the backup directory to restore (the one holding manifest.json)"),
            ParamSpec.optional("latest", ValueKind.STRING, "restore the newest complete backup in this directory instead"),
            ParamSpec.optional("database", ValueKind.STRING, "restore into this database (default: the target's own); created when missing"),
            ParamSpec.optional("clean", ValueKind.BOOLEAN, "replace a database that holds data (pg_restore --clean --if-exists)"),
            ParamSpec.optional("tables", ValueKind.STRING_LIST, "only these tables' rows, replaced in one transaction (name or schema.name; % and _ as in LIKE)"),
            ParamSpec.optional("data_only", ValueKind.BOOLEAN, "with tables: rows only, the tables must exist (seed 003's --data-only); the only table mode"),
            ParamSpec.optional("tenant", ValueKind.STRING, "from a tenant backup: replace this tenant's rows only (default: the backup's tenant)"),
            ParamSpec.optional("globals", ValueKind.BOOLEAN, "first create the backup's roles, memberships and tablespaces that the server lacks"),
            ParamSpec.optional("no_owner", ValueKind.BOOLEAN, "restore without owners and grants (pg_restore --no-owner --no-acl)"),
            ParamSpec.optional("force", ValueKind.BOOLEAN, "restore a backup that fails verification (recorded in the report)"),
            ParamSpec.optional("safety_backup", ValueKind.BOOLEAN, "back up what will be replaced first (default true; false is recorded)"),
            ParamSpec.optional("safety_dir", ValueKind.STRING, "where safety backups go (default: pre-restore/ beside the backup)"),
            ParamSpec.optional("jobs", ValueKind.INTEGER, "parallel pg_restore jobs (default 2)"),
            ParamSpec.optional("dry_run", ValueKind.BOOLEAN, "only the plan: what would be dropped, replaced and created, with row counts"),
            ParamSpec.optional("confirm_source", ValueKind.STRING, "restoring into the database the backup came from: its name, typed again"),
            ParamSpec.optional("amcheck", ValueKind.BOOLEAN, "check the restored database with pg_amcheck where amcheck is installed (default true)"),
            ParamSpec.optional("pg_restore", ValueKind.STRING, "path of pg_restore (default: the installation pgrunbook finds)"),
            ParamSpec.optional("migrations_dir", ValueKind.STRING, "the migrations directory, named in the command that reapplies newer migrations"));

    static RestoreOptions from(Map<String, Object> w) {
        Object jobs = w.get("jobs");
        return new RestoreOptions(str(w, "path"), str(w, "latest"), str(w, "database"), bool(w, "clean", false), strings(w, "tables"),
                bool(w, "data_only", false), str(w, "tenant"), bool(w, "globals", false), bool(w, "no_owner", false), bool(w, "force", false),
                bool(w, "safety_backup", true), str(w, "safety_dir"), jobs instanceof Number n ? n.intValue() : 2,
                bool(w, "dry_run", false), str(w, "confirm_source"), bool(w, "amcheck", true), str(w, "pg_restore"), str(w, "migrations_dir"));
    }

    static void validate(Step step, Problems problems) {
        Map<String, Object> w = step.with();
        if ((w.get("path") == null) == (w.get("latest") == null)) {
            problems.add(step.location(), "restore: give exactly one of path (a backup) or latest (a directory of backups)");
        }
        RestoreOptions o = from(w);
        if (o.tenant() != null && !o.tables().isEmpty()) {
            problems.add(step.location(), "restore: tenant and tables cannot be combined: a tenant backup restores its own tables");
        }
        if (o.clean() && (o.tenant() != null || !o.tables().isEmpty())) {
            problems.add(step.location(), "restore: clean is for a whole database; tables and tenant replace their rows in one transaction");
        }
        if (o.dataOnly() && o.tables().isEmpty()) {
            problems.add(step.location(), "restore: data_only needs tables: the tables whose rows to replace");
        }
        if (o.jobs() < 1) {
            problems.add(step.location(), "restore: jobs must be at least 1, not " + o.jobs());
        }
    }

    Mode mode(boolean tenantBackup) {
        if (tenant != null || tenantBackup) {
            return Mode.TENANT;
        }
        return tables.isEmpty() ? Mode.WHOLE : Mode.TABLES;
    }

    Path safetyRoot(Path backup) {
        return safetyDir != null ? Path.of(safetyDir) : backup.toAbsolutePath().getParent().resolve("pre-restore");
    }

    private static String str(Map<String, Object> w, String key) {
        Object v = w.get(key);
        return v == null ? null : String.valueOf(v);
    }

    private static boolean bool(Map<String, Object> w, String key, boolean fallback) {
        Object v = w.get(key);
        return v instanceof Boolean b ? b : fallback;
    }

    private static List<String> strings(Map<String, Object> w, String key) {
        Object v = w.get(key);
        return v instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
    }
}
