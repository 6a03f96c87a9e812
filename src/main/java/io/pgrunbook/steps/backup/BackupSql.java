package io.pgrunbook.steps.backup;

/** The statements backup and verify-backup run, all through prepared statements. */
final class BackupSql {
    private BackupSql() {}

    static final String USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'";

    /**
     * Tables whose name (or schema.name, when the pattern has a dot) matches a LIKE pattern: the
     * server applies LIKE itself, so % and _ mean exactly what they mean in SQL.
     */
    static final String MATCH_TABLES = "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE c.relkind IN ('r', 'p') AND " + USER_SCHEMAS
            + " AND (CASE WHEN strpos(?, '.') > 0 THEN n.nspname || '.' || c.relname ELSE c.relname END) LIKE ? ORDER BY 1, 2";

    static final String DATABASE_SIZE = "SELECT pg_database_size(current_database())";

    static final String TABLES_SIZE = "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE (n.nspname || '.' || c.relname) = ANY(?)";

    static final String WAL_LSN = "SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text";

    static final String TABLES_BY_OID = "SELECT c.oid::bigint, n.nspname, c.relname FROM pg_class c "
            + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid::bigint = ANY(?)";

    /** Indexes, constraints, RLS policies and enabled RLS of user tables, as (kind, schema, table, name). */
    static final String OBJECTS = "SELECT 'index', n.nspname, t.relname, i.relname FROM pg_index x "
            + "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace WHERE " + USER_SCHEMAS
            + " UNION ALL SELECT 'constraint', n.nspname, t.relname, c.conname FROM pg_constraint c "
            + "JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace WHERE " + USER_SCHEMAS
            + " UNION ALL SELECT 'policy', schemaname::text, tablename::text, policyname::text FROM pg_policies"
            + " UNION ALL SELECT 'row level security', n.nspname, t.relname, 'enabled' FROM pg_class t "
            + "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE t.relrowsecurity AND " + USER_SCHEMAS
            + " UNION ALL SELECT 'row level security forced', n.nspname, t.relname, 'forced' FROM pg_class t "
            + "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE t.relforcerowsecurity AND " + USER_SCHEMAS;

    static final String HAS_COLUMN = "SELECT EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ? AND a.attname = ? "
            + "AND a.attnum > 0 AND NOT a.attisdropped)";

    /**
     * The tenant export statement, built by the server: COPY takes no bind parameters, so the value
     * goes in as a literal, quoted by format's %L (quote_literal) from a bind parameter, and the
     * names by %I (quote_ident). No text from the user is ever spliced into SQL on our side.
     */
    static final String TENANT_COPY_OUT = "SELECT format('COPY (SELECT * FROM %I.%I WHERE %I = %L) TO STDOUT', ?, ?, ?, ?)";

    static final String EXPORT_SNAPSHOT = "SELECT pg_export_snapshot()";

    // ---- verify-backup, in the scratch database ----

    static final String COUNT_ROWS = "SELECT format('SELECT count(*) FROM ONLY %I.%I', ?, ?)";
    static final String COPY_IN = "SELECT format('COPY %I.%I FROM STDIN', ?, ?)";
    static final String QUOTE_IDENT = "SELECT quote_ident(?)";
    static final String IS_SUPERUSER = "SELECT rolsuper FROM pg_roles WHERE rolname = current_user";
    static final String DATABASE_EXISTS = "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ?)";
}
