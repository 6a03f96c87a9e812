package io.pgrunbook.steps.restore;

/**
 * The statements restore runs, all prepared. Identifiers cannot be bind parameters, so statements
 * that name a table are built by the server with format('%I') from bind parameters.
 */
final class RestoreSql {
    private RestoreSql() {}

    static final String DATABASE_EXISTS = "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ?)";
    static final String QUOTE_IDENT = "SELECT quote_ident(?)";
    static final String QUOTE_LITERAL = "SELECT quote_literal(?)";
    static final String DATABASE_COMMENT = "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = ?";
    static final String SERVER_VERSION_NUM = "SELECT current_setting('server_version_num')::int";

    /** User tables with their estimated and exact-on-demand rows: what a restore would replace. */
    static final String USER_TABLES = "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            + "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' ORDER BY 1, 2";

    static final String COUNT_ROWS = "SELECT format('SELECT count(*) FROM ONLY %I.%I', ?, ?)";
    static final String COUNT_TENANT_ROWS = "SELECT format('SELECT count(*) FROM ONLY %I.%I WHERE %I = %L', ?, ?, ?, ?)";
    static final String DELETE_TENANT_ROWS = "SELECT format('DELETE FROM ONLY %I.%I WHERE %I = %L', ?, ?, ?, ?)";
    static final String COPY_IN = "SELECT format('COPY %I.%I FROM STDIN', ?, ?)";
    static final String TRUNCATE = "SELECT 'TRUNCATE ' || string_agg(format('ONLY %I.%I', s, t), ', ') FROM unnest(?::text[], ?::text[]) AS x(s, t)";

    /** Foreign keys among the given tables, child -> parent, to order deletes (children first) and inserts (parents first). */
    static final String FOREIGN_KEYS = "SELECT cn.nspname, c.relname, pn.nspname, p.relname FROM pg_constraint k "
            + "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace "
            + "JOIN pg_class p ON p.oid = k.confrelid JOIN pg_namespace pn ON pn.oid = p.relnamespace "
            + "WHERE k.contype = 'f' AND k.conrelid <> k.confrelid";

    /** Of the given roles, the ones this server lacks (owners named in the archive). */
    static final String MISSING_ROLES = "SELECT rolname FROM unnest(?::text[]) AS r(rolname) WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE pg_roles.rolname = r.rolname)";

    /** Sequences owned by a column (serial or identity) with the column: checked not to be behind the column's maximum. */
    static final String OWNED_SEQUENCES = "SELECT sn.nspname, s.relname, tn.nspname, t.relname, a.attname, "
            + "format('SELECT (SELECT last_value FROM %I.%I), (SELECT max(%I)::numeric FROM %I.%I), (SELECT is_called FROM %I.%I)', "
            + "sn.nspname, s.relname, a.attname, tn.nspname, t.relname, sn.nspname, s.relname) "
            + "FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' JOIN pg_namespace sn ON sn.oid = s.relnamespace "
            + "JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace "
            + "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
            + "WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
            + "AND (tn.nspname || '.' || t.relname) = ANY(?)";

    /** The migrate capability's history table, if this database has one. */
    static final String HISTORY_EXISTS = "SELECT to_regclass(?) IS NOT NULL";
    static final String HISTORY = "SELECT format('SELECT version, description, applied_at::text FROM %s WHERE success ORDER BY applied_at', ?::regclass)";

    static final String AMCHECK_INSTALLED = "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'amcheck')";
}
