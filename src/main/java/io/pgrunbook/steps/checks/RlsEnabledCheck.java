package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;

/** Row-level security is enabled and forced (so it binds the table's owner too) on each listed table. */
public final class RlsEnabledCheck extends Check {
    static final String SQL = """
            SELECT t.name AS table_name, c.relrowsecurity AS rls_enabled, c.relforcerowsecurity AS rls_forced,
                   c.relrowsecurity AND (c.relforcerowsecurity OR NOT :require_forced) AS ok
            FROM unnest(CAST(:tables AS text[])) WITH ORDINALITY AS t(name, ord)
            JOIN pg_class c ON c.oid = to_regclass(t.name)::oid
            ORDER BY t.ord""";

    @Override
    protected String check() {
        return "rls_enabled";
    }

    @Override
    public String summary() {
        return "row-level security enabled and forced on each listed tenant table";
    }

    @Override
    public String recommendation() {
        return "ALTER TABLE name ENABLE ROW LEVEL SECURITY; ALTER TABLE name FORCE ROW LEVEL SECURITY; without FORCE the table's "
                + "owner (often the application's role) sees every tenant's rows";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.required("tables", ValueKind.STRING_LIST, "the tenant tables"),
                ParamSpec.optional("require_forced", ValueKind.BOOLEAN, "require FORCE ROW LEVEL SECURITY as well (default true)"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.count(null, 1L);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        List<String> tables = param(context.step(), "tables", List.of());
        requireTables(context, tables);
        return query(context, SQL, binds("tables", tables, "require_forced", param(context.step(), "require_forced", true)));
    }
}
