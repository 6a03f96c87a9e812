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

    /**
     * Which server and which database this is: the cluster's system identifier (when the role may read
     * pg_control_system()) and the database's OID, recorded so a backup says exactly what it holds.
     */
    static final String IDENTITY = "SELECT CASE WHEN has_function_privilege('pg_control_system()', 'EXECUTE') "
            + "THEN (SELECT system_identifier FROM pg_control_system())::text END, "
            + "(SELECT oid FROM pg_database WHERE datname = current_database())::bigint";

    /**
     * What a table subset needs beside the matched tables so that it restores on its own: every
     * partition and inheritance child below them (pg_dump -t takes a parent alone, and a partitioned
     * table's rows are all in its partitions), and the sequences they own or whose nextval() their
     * column defaults call (pg_dump -t dumps only owned ones). Identity sequences come with their table.
     * Binds: the matched tables' schemas, then their names, as two text arrays.
     */
    static final String SUBSET_DEPENDENTS = """
            WITH RECURSIVE chosen(oid) AS (
                SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  JOIN unnest(CAST(? AS text[]), CAST(? AS text[])) AS s(nsp, rel) ON s.nsp = n.nspname AND s.rel = c.relname),
            tree(oid) AS (
                SELECT oid FROM chosen UNION SELECT i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.oid),
            seqs(oid) AS (
                SELECT d.objid FROM pg_depend d JOIN tree t ON d.refobjid = t.oid
                 WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'
                UNION SELECT d.refobjid FROM pg_attrdef ad JOIN tree t ON ad.adrelid = t.oid
                  JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid AND d.refclassid = 'pg_class'::regclass)
            SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE (c.oid IN (SELECT oid FROM tree) AND c.relkind IN ('r', 'p'))
                OR (c.oid IN (SELECT oid FROM seqs) AND c.relkind = 'S')
             ORDER BY 1, 2""";

    /** The partitions and inheritance children below the given tables (schemas, names as two text arrays). */
    static final String DESCENDANTS = """
            WITH RECURSIVE tree(oid) AS (
                SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  JOIN unnest(CAST(? AS text[]), CAST(? AS text[])) AS s(nsp, rel) ON s.nsp = n.nspname AND s.rel = c.relname
                UNION SELECT i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.oid)
            SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.oid IN (SELECT oid FROM tree) AND c.relkind IN ('r', 'p') ORDER BY 1, 2""";

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

    /** Foreign keys of user tables: schema, table, name, referenced schema, referenced table. */
    static final String FOREIGN_KEYS = "SELECT n.nspname, t.relname, c.conname, rn.nspname, r.relname FROM pg_constraint c "
            + "JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
            + "JOIN pg_class r ON r.oid = c.confrelid JOIN pg_namespace rn ON rn.oid = r.relnamespace WHERE c.contype = 'f' AND " + USER_SCHEMAS;

    static final String HAS_COLUMN = "SELECT EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ? AND a.attname = ? "
            + "AND a.attnum > 0 AND NOT a.attisdropped)";

    /**
     * The tenant export statement, built by the server: COPY takes no bind parameters, so the value
     * goes in as a literal, quoted by format's %L (quote_literal) from a bind parameter, and the
     * names by %I (quote_ident). No text from the user is ever spliced into SQL on our side.
     * ONLY: each table's own rows, as every table of the manifest counts them; a parent's children
     * are exported as tables of their own, so no row is exported (and restored) twice.
     */
    static final String TENANT_COPY_OUT = "SELECT format('COPY (SELECT * FROM ONLY %I.%I WHERE %I = %L) TO STDOUT', ?, ?, ?, ?)";

    static final String EXPORT_SNAPSHOT = "SELECT pg_export_snapshot()";

    // ---- verify-backup, in the scratch database ----

    static final String COUNT_ROWS = "SELECT format('SELECT count(*) FROM ONLY %I.%I', ?, ?)";
    static final String COPY_IN = "SELECT format('COPY %I.%I FROM STDIN', ?, ?)";
    static final String QUOTE_IDENT = "SELECT quote_ident(?)";
    static final String IS_SUPERUSER = "SELECT rolsuper FROM pg_roles WHERE rolname = current_user";
    static final String DATABASE_EXISTS = "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ?)";
}
