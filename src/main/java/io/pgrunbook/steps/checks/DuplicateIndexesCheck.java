package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;

/** pairs of indexes of a table that are the same index (columns, expressions, predicate, operator classes, collations) */
public final class DuplicateIndexesCheck extends Check {
    static final String SQL = """
            SELECT n.nspname AS schema,
                   t.relname AS table_name,
                   ia.relname AS index_a,
                   ib.relname AS index_b,
                   a.indisprimary OR a.indisunique OR EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = a.indexrelid) AS a_enforces_constraint,
                   b.indisprimary OR b.indisunique OR EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = b.indexrelid) AS b_enforces_constraint,
                   pg_size_pretty(ia.relpages::bigint * current_setting('block_size')::bigint) AS size_a,
                   pg_size_pretty(ib.relpages::bigint * current_setting('block_size')::bigint) AS size_b,
                   pg_get_indexdef(b.indexrelid) AS definition_b,
                   -- A partition's index attached to its parent table's index cannot be dropped on its own.
                   (SELECT p.inhparent::regclass::text FROM pg_inherits p WHERE p.inhrelid = a.indexrelid) AS a_attached_to,
                   (SELECT p.inhparent::regclass::text FROM pg_inherits p WHERE p.inhrelid = b.indexrelid) AS b_attached_to
            FROM pg_index a
            JOIN pg_index b
              ON b.indrelid = a.indrelid
             AND b.indexrelid > a.indexrelid
             AND b.indnatts = a.indnatts
             AND b.indnkeyatts = a.indnkeyatts
             AND b.indkey::text = a.indkey::text
             AND b.indclass::text = a.indclass::text
             AND b.indcollation::text = a.indcollation::text
             AND b.indoption::text = a.indoption::text
            JOIN pg_class ia ON ia.oid = a.indexrelid
            JOIN pg_class ib ON ib.oid = b.indexrelid AND ib.relam = ia.relam
            JOIN pg_class t ON t.oid = a.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
              AND (to_jsonb(a) ->> 'indnullsnotdistinct') IS NOT DISTINCT FROM (to_jsonb(b) ->> 'indnullsnotdistinct')
              AND CASE WHEN a.indexprs IS NULL OR b.indexprs IS NULL THEN a.indexprs IS NULL AND b.indexprs IS NULL
                       ELSE pg_get_expr(a.indexprs, a.indrelid) = pg_get_expr(b.indexprs, b.indrelid) END
              AND CASE WHEN a.indpred IS NULL OR b.indpred IS NULL THEN a.indpred IS NULL AND b.indpred IS NULL
                       ELSE pg_get_expr(a.indpred, a.indrelid) = pg_get_expr(b.indpred, b.indrelid) END
            ORDER BY n.nspname, t.relname, ia.relname, ib.relname""";

    @Override
    protected String check() {
        return "duplicate_indexes";
    }

    @Override
    public String summary() {
        return "pairs of indexes of a table that are the same index (columns, expressions, predicate, operator classes, collations)";
    }

    @Override
    public String recommendation() {
        return "The planner uses one, every write maintains both: keep the one that enforces a constraint (a_enforces_constraint / b_enforces_constraint) or belongs to the parent table's index (a_attached_to / b_attached_to: a partition's copy, which cannot be dropped on its own) and drop the other with DROP INDEX CONCURRENTLY";
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
