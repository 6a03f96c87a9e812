package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;

/**
 * sequences whose column is narrower than the sequence, judged against the column: a bigint sequence
 * feeding an integer column runs out at 2,147,483,647 although check.sequences sees it nearly unused
 */
public final class SequenceColumnTypesCheck extends Check {
    // A column is fed by a sequence it owns (serial, identity: pg_depend 'a'/'i' on the column) or whose
    // default calls nextval() on it (pg_depend of the default on the sequence).
    static final String SQL = """
            WITH fed AS (
                SELECT d.objid AS seqid, d.refobjid AS relid, d.refobjsubid AS attnum
                FROM pg_depend d
                WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
                  AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
                UNION
                SELECT dd.refobjid, ad.adrelid, ad.adnum
                FROM pg_attrdef ad
                JOIN pg_depend dd ON dd.classid = 'pg_attrdef'::regclass AND dd.objid = ad.oid AND dd.refclassid = 'pg_class'::regclass
            ), typed AS (
                SELECT sn.nspname AS schema, sc.relname AS sequence_name, format_type(s.seqtypid, NULL) AS sequence_type,
                       format('%I.%I.%I', tn.nspname, tc.relname, a.attname) AS fed_column,
                       format_type(a.atttypid, a.atttypmod) AS column_type,
                       coalesce(ps.last_value, s.seqstart - s.seqincrement) AS last_value,
                       s.seqmax,
                       CASE a.atttypid WHEN 'int2'::regtype THEN 32767::numeric WHEN 'int4'::regtype THEN 2147483647::numeric
                                       WHEN 'int8'::regtype THEN 9223372036854775807::numeric END AS column_max
                FROM fed f
                JOIN pg_class sc ON sc.oid = f.seqid AND sc.relkind = 'S'
                JOIN pg_namespace sn ON sn.oid = sc.relnamespace
                JOIN pg_sequence s ON s.seqrelid = sc.oid
                LEFT JOIN pg_sequences ps ON ps.schemaname = sn.nspname AND ps.sequencename = sc.relname
                JOIN pg_class tc ON tc.oid = f.relid
                JOIN pg_namespace tn ON tn.oid = tc.relnamespace
                JOIN pg_attribute a ON a.attrelid = f.relid AND a.attnum = f.attnum
                WHERE s.seqincrement > 0 AND NOT s.seqcycle
                  AND NOT tc.relispartition -- a partition's column default is its parent's: listed once, for the parent
            )
            SELECT schema, sequence_name, sequence_type, fed_column, column_type, last_value, column_max,
                   round(100.0 * greatest(last_value, 0) / column_max, 2) AS used_pct
            FROM typed
            WHERE column_max IS NOT NULL AND column_max < seqmax
            ORDER BY used_pct DESC, schema, sequence_name""";

    @Override
    protected String check() {
        return "sequence_column_types";
    }

    @Override
    public String summary() {
        return "sequences that feed a narrower column (bigint into integer), by the share of the column's range used";
    }

    @Override
    public String recommendation() {
        return "Inserts fail with 'integer out of range' when the sequence passes the column's maximum, long before the sequence "
                + "runs out: ALTER TABLE ... ALTER COLUMN ... TYPE bigint (rewrites the table; plan it, or add a bigint column and "
                + "backfill), or cap the sequence with ALTER SEQUENCE ... AS integer so check.sequences judges it right";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of();
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("used_pct", ValueKind.NUMBER, "%", 75L, 90L);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        return query(context, SQL, java.util.Map.of());
    }
}
