package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;

/** sequences by the share of their range already used */
public final class SequencesCheck extends Check {
    static final String SQL = """
            SELECT schemaname AS schema, sequencename AS sequence_name, data_type::text AS data_type, last_value, max_value,
                   round(100.0 * CASE WHEN increment_by > 0 THEN (last_value::numeric - min_value) / nullif(max_value::numeric - min_value, 0)
                                      ELSE (max_value::numeric - last_value) / nullif(max_value::numeric - min_value, 0) END, 2) AS used_pct,
                   cycle
            FROM pg_sequences
            WHERE last_value IS NOT NULL AND (NOT cycle OR :include_cycling)
            ORDER BY used_pct DESC""";

    @Override
    protected String check() {
        return "sequences";
    }

    @Override
    public String summary() {
        return "sequences by the share of their range already used";
    }

    @Override
    public String recommendation() {
        return "ALTER SEQUENCE ... AS bigint MAXVALUE ... (and the column to bigint) before it runs out: nextval() will fail and every INSERT with it";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.optional("include_cycling", ValueKind.BOOLEAN, "also judge sequences that CYCLE (default false: they wrap by design)"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("used_pct", ValueKind.NUMBER, "%", 75L, 90L);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        return query(context, SQL, binds("include_cycling", param(context.step(), "include_cycling", false)));
    }
}
