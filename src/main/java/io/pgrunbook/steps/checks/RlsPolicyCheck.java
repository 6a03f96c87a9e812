package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.List;

/** Each listed table has a policy for all commands whose condition reads the tenant setting. */
public final class RlsPolicyCheck extends Check {
    static final String SQL = """
            SELECT t.name AS table_name,
                   (SELECT string_agg(p.polname, ', ' ORDER BY p.polname) FROM pg_policy p WHERE p.polrelid = to_regclass(t.name)) AS policies,
                   (SELECT string_agg(p.polname, ', ' ORDER BY p.polname) FROM pg_policy p
                     WHERE p.polrelid = to_regclass(t.name) AND p.polcmd = '*' AND p.polpermissive
                       AND strpos(coalesce(pg_get_expr(p.polqual, p.polrelid), ''), :setting) > 0) AS isolation_policy,
                   EXISTS (SELECT 1 FROM pg_policy p
                           WHERE p.polrelid = to_regclass(t.name) AND p.polcmd = '*' AND p.polpermissive
                             AND strpos(coalesce(pg_get_expr(p.polqual, p.polrelid), ''), :setting) > 0) AS ok
            FROM unnest(CAST(:tables AS text[])) WITH ORDINALITY AS t(name, ord)
            ORDER BY t.ord""";

    @Override
    protected String check() {
        return "rls_policy";
    }

    @Override
    public String summary() {
        return "each listed table has a tenant isolation policy (FOR ALL, USING the tenant setting)";
    }

    @Override
    public String recommendation() {
        return "CREATE POLICY tenant_isolation ON name FOR ALL USING (tenant_id = current_setting('app.current_tenant_id')::uuid)";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.required("tables", ValueKind.STRING_LIST, "the tenant tables"),
                ParamSpec.optional("setting", ValueKind.STRING, "the setting the policy must read (default app.current_tenant_id)"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.count(null, 1L);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        List<String> tables = param(context.step(), "tables", List.of());
        requireTables(context, tables);
        return query(context, SQL, binds("tables", tables, "setting", param(context.step(), "setting", "app.current_tenant_id")));
    }
}
