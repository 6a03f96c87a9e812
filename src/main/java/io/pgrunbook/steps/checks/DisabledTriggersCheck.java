package io.pgrunbook.steps.checks;

/** triggers left disabled, including the foreign-key enforcement that DISABLE TRIGGER ALL turns off */
public final class DisabledTriggersCheck extends RowCountCheck {
    // Internal triggers are listed only when they enforce a constraint (a foreign key): DISABLE TRIGGER ALL
    // turns those off too, and then the key is no longer enforced. tgparentid = 0: once per partitioned table.
    static final String SQL = """
            SELECT n.nspname AS schema, c.relname AS table_name, t.tgname AS trigger_name,
                   CASE WHEN t.tgisinternal THEN 'enforces constraint ' || con.conname ELSE 'user trigger' END AS kind,
                   CASE WHEN t.tgisinternal THEN pg_get_constraintdef(con.oid) ELSE pg_get_triggerdef(t.oid) END AS definition
            FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_constraint con ON con.oid = t.tgconstraint
            WHERE t.tgenabled = 'D' AND t.tgparentid = 0
              AND (NOT t.tgisinternal OR t.tgconstraint <> 0)
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
            ORDER BY n.nspname, c.relname, t.tgname""";

    @Override
    protected String check() {
        return "disabled_triggers";
    }

    @Override
    public String summary() {
        return "triggers left disabled, including foreign-key enforcement turned off by DISABLE TRIGGER ALL";
    }

    @Override
    public String recommendation() {
        return "A disabled trigger (often left after a bulk load) silently skips its work, and a disabled foreign-key trigger "
                + "no longer enforces the key: ALTER TABLE ... ENABLE TRIGGER name (or ENABLE TRIGGER ALL), then check the rows "
                + "written meanwhile";
    }

    @Override
    protected String sql() {
        return SQL;
    }
}
