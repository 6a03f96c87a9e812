package io.pgrunbook.steps.checks;

/** foreign keys and CHECK constraints added NOT VALID and never validated */
public final class NotValidConstraintsCheck extends RowCountCheck {
    // conparentid = 0: a partitioned table's constraint is listed once, not once more per partition.
    static final String SQL = """
            SELECT n.nspname AS schema, c.relname AS table_name, con.conname AS constraint_name,
                   CASE con.contype WHEN 'f' THEN 'foreign key' WHEN 'c' THEN 'check' ELSE con.contype::text END AS kind,
                   pg_get_constraintdef(con.oid) AS definition
            FROM pg_constraint con
            JOIN pg_class c ON c.oid = con.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE NOT con.convalidated AND con.conparentid = 0
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
            ORDER BY n.nspname, c.relname, con.conname""";

    @Override
    protected String check() {
        return "not_valid_constraints";
    }

    @Override
    public String summary() {
        return "foreign keys and CHECK constraints added NOT VALID and never validated";
    }

    @Override
    public String recommendation() {
        return "Rows written before the constraint may still break it, and the planner cannot rely on it: run "
                + "ALTER TABLE ... VALIDATE CONSTRAINT name (it takes SHARE UPDATE EXCLUSIVE and does not block writes), "
                + "after fixing the rows it reports";
    }

    @Override
    protected String sql() {
        return SQL;
    }
}
