package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;

/** indexes left invalid by a failed CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY */
public final class InvalidIndexesCheck extends Check {
    static final String SQL = """
            SELECT n.nspname AS schema, t.relname AS table_name, ic.relname AS index_name,
                   i.indisready AS ready, pg_get_indexdef(i.indexrelid) AS definition
            FROM pg_index i
            JOIN pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_class t ON t.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE NOT i.indisvalid
            ORDER BY n.nspname, t.relname, ic.relname""";

    @Override
    protected String check() {
        return "invalid_indexes";
    }

    @Override
    public String summary() {
        return "indexes left invalid by a failed CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY";
    }

    @Override
    public String recommendation() {
        return "An invalid index is maintained on every write but never used: DROP INDEX CONCURRENTLY it and build it again (CREATE INDEX CONCURRENTLY), or REINDEX INDEX CONCURRENTLY";
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
