package io.pgrunbook.steps.backup;

import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.ValueKind;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code with:} of a backup step, read once. */
record BackupOptions(Path dir, String format, int jobs, boolean schemaOnly, List<String> tables, List<String> excludeTables,
        String tenant, String tenantColumn, Retention retention, String name, String pgDump, String pgRestore) {

    static final String DIRECTORY = "directory";
    static final String CUSTOM = "custom";
    static final String TENANT = "tenant";

    static final List<ParamSpec> PARAMETERS = List.of(
            ParamSpec.required("dir", ValueKind.STRING, "directory that holds the backups (one subdirectory per backup)"),
            ParamSpec.optional("format", ValueKind.STRING, "directory (default: pg_dump -Fd, parallel) or custom (pg_dump -Fc, one file)"),
            ParamSpec.optional("jobs", ValueKind.INTEGER, "parallel pg_dump jobs for the directory format (default 2)"),
            ParamSpec.optional("schema_only", ValueKind.BOOLEAN, "dump the schema without data"),
            ParamSpec.optional("tables", ValueKind.STRING_LIST, "only these tables: SQL LIKE patterns on name or schema.name (ext_storage_%)"),
            ParamSpec.optional("exclude_tables", ValueKind.STRING_LIST, "leave out these tables: LIKE patterns"),
            ParamSpec.optional("tenant", ValueKind.STRING, "export only this tenant's rows of the listed tables, beside the whole schema"),
            ParamSpec.optional("tenant_column", ValueKind.STRING, "the tenant column (default tenant_id)"),
            ParamSpec.optional("keep_last", ValueKind.INTEGER, "retention: keep the newest N complete backups"),
            ParamSpec.optional("keep_days", ValueKind.INTEGER, "retention: keep complete backups younger than D days"),
            ParamSpec.optional("name", ValueKind.STRING, "name prefix of the backup directories (default: the database name)"),
            ParamSpec.optional("pg_dump", ValueKind.STRING, "path of pg_dump (default: the installation pgrunbook finds)"),
            ParamSpec.optional("pg_restore", ValueKind.STRING, "path of pg_restore (default: beside pg_dump)"),
            ParamSpec.optional("manifest_key_file", ValueKind.STRING, "file holding a key: the manifest's digest becomes an HMAC (tamper evidence)"),
            ParamSpec.optional("globals", ValueKind.BOOLEAN, "also keep the roles, memberships and tablespaces (pg_dumpall --globals-only --no-role-passwords, never a password; default true)"));

    static BackupOptions from(Map<String, Object> with) {
        boolean tenant = with.get("tenant") != null;
        return new BackupOptions(
                Path.of(String.valueOf(with.get("dir"))),
                tenant ? TENANT : str(with, "format", DIRECTORY),
                integer(with, "jobs", 2),
                Boolean.TRUE.equals(with.get("schema_only")),
                strings(with, "tables"),
                strings(with, "exclude_tables"),
                tenant ? String.valueOf(with.get("tenant")) : null,
                str(with, "tenant_column", "tenant_id"),
                new Retention(optInteger(with, "keep_last"), optInteger(with, "keep_days")),
                (String) with.get("name"),
                (String) with.get("pg_dump"),
                (String) with.get("pg_restore"));
    }

    static void validate(Step step, Problems problems) {
        Map<String, Object> w = step.with();
        Object format = w.get("format");
        if (format != null && !List.of(DIRECTORY, CUSTOM).contains(format)) {
            problems.add(step.location(), "backup: format must be directory or custom, not '" + format + "'");
        }
        if (w.get("tenant") != null) {
            if (strings(w, "tables").isEmpty()) {
                problems.add(step.location(), "backup: a tenant backup needs tables: the tables whose rows carry the tenant column");
            }
            if (Boolean.TRUE.equals(w.get("schema_only")) || format != null || w.get("exclude_tables") != null) {
                problems.add(step.location(), "backup: tenant cannot be combined with schema_only, format or exclude_tables");
            }
        }
        for (String key : List.of("jobs", "keep_last", "keep_days")) {
            Integer v = optInteger(w, key);
            if (v != null && v < 1) {
                problems.add(step.location(), "backup: " + key + " must be at least 1, not " + v);
            }
        }
    }

    /** The options recorded in the manifest: what was asked, never a connection or password. */
    Map<String, Object> recorded() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", format);
        m.put("jobs", jobs);
        m.put("schema_only", schemaOnly);
        m.put("tables", tables);
        m.put("exclude_tables", excludeTables);
        return m;
    }

    private static String str(Map<String, Object> with, String key, String fallback) {
        Object v = with.get(key);
        return v == null ? fallback : String.valueOf(v);
    }

    static List<String> strings(Map<String, Object> with, String key) {
        Object v = with.get(key);
        return v instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
    }

    static int integer(Map<String, Object> with, String key, int fallback) {
        Integer v = optInteger(with, key);
        return v == null ? fallback : v;
    }

    static Integer optInteger(Map<String, Object> with, String key) {
        Object v = with.get(key);
        return v instanceof Number n ? n.intValue() : null;
    }
}
