package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;

/** foreign keys whose referencing columns do not lead any index of the table */
public final class FkWithoutIndexCheck extends Check {
    static final String SQL = """
            SELECT n.nspname AS schema, t.relname AS table_name, con.conname AS constraint_name,
                   con.confrelid::regclass::text AS references_table,
                   (SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS columns
            FROM pg_constraint con
            JOIN pg_class t ON t.oid = con.conrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE con.contype = 'f'
              -- A foreign key on a partitioned table is reported once, on the parent: its clones on
              -- each partition, and the ones PostgreSQL adds per partition of a partitioned
              -- referenced table, are the same key (conparentid names the one it was cloned from).
              AND con.conparentid = 0
              AND NOT EXISTS (
                  SELECT 1 FROM pg_index i
                  WHERE i.indrelid = con.conrelid
                    AND (i.indkey::int2[])[0:cardinality(con.conkey) - 1] @> con.conkey
                    AND (i.indkey::int2[])[0:cardinality(con.conkey) - 1] <@ con.conkey)
            ORDER BY n.nspname, t.relname, con.conname""";

    @Override
    protected String check() {
        return "fk_without_index";
    }

    @Override
    public String summary() {
        return "foreign keys whose referencing columns do not lead any index of the table";
    }

    @Override
    public String recommendation() {
        return "Without an index on the referencing columns, every DELETE or key UPDATE on the referenced table scans this table and locks longer: CREATE INDEX CONCURRENTLY on the foreign key columns";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of();
    }

    @Override
    public Threshold threshold() {
        return Threshold.count(1L, null);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        return query(context, SQL, java.util.Map.of());
    }
}
