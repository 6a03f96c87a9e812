package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The operations runbook's RLS test, made safe: inside one READ ONLY transaction, SET LOCAL ROLE to
 * the application's role, set the tenant setting locally, count what the table shows. Nothing is
 * written and nothing outlives the transaction. The connecting user must be able to SET ROLE to it.
 */
public final class RlsIsolationCheck extends Check {
    static final String RESOLVE_SQL = """
            SELECT to_regclass(:table)::text AS table_ident, quote_ident(:role) AS role_ident, quote_ident(:column) AS column_ident,
                   EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(:table) AND attname = :column AND NOT attisdropped) AS has_column,
                   (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = :role) AS bypasses,
                   (SELECT pg_get_userbyid(relowner) = :role AND NOT relforcerowsecurity FROM pg_class WHERE oid = to_regclass(:table)) AS owner_unforced""";

    @Override
    protected String check() {
        return "rls_isolation";
    }

    @Override
    public String summary() {
        return "as a given role with the tenant setting set, a table shows only that tenant's rows (read-only test)";
    }

    @Override
    public String recommendation() {
        return "Tenants can read each other's rows: enable and force RLS on the table, give it a tenant isolation policy, and make sure "
                + "the application's role is neither a superuser nor BYPASSRLS";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.required("table", ValueKind.STRING, "the tenant table"),
                ParamSpec.required("role", ValueKind.STRING, "the application's (non-owner) role to test as"),
                ParamSpec.required("tenant", ValueKind.STRING, "the tenant id to set"),
                ParamSpec.optional("column", ValueKind.STRING, "the tenant column (default tenant_id)"),
                ParamSpec.optional("setting", ValueKind.STRING, "the tenant setting (default app.current_tenant_id)"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.count(null, 1L);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        String table = param(context.step(), "table", "");
        String role = param(context.step(), "role", "");
        String tenant = param(context.step(), "tenant", "");
        String column = param(context.step(), "column", "tenant_id");
        String setting = param(context.step(), "setting", "app.current_tenant_id");
        requireTables(context, List.of(table));
        List<Object> r = query(context, RESOLVE_SQL, binds("table", table, "role", role, "column", column)).rows().get(0);
        if (!Boolean.TRUE.equals(r.get(3))) {
            throw new SQLException("table " + table + " has no column " + column + " (set with.column)", "42703");
        }
        if (r.get(4) == null) {
            throw new SQLException("role \"" + role + "\" does not exist", "42704");
        }
        String tableIdent = (String) r.get(0);
        String roleIdent = (String) r.get(1);
        String columnIdent = (String) r.get(2);
        // Identifiers cannot be bound; these come quoted by the server itself (regclass::text, quote_ident).
        String count = "SELECT count(*) AS visible, count(*) FILTER (WHERE " + columnIdent + "::text IS DISTINCT FROM :tenant) AS other_tenants FROM "
                + tableIdent;
        List<Object> counts = context.inTransaction(true, c -> {
            run(c, context, "SET LOCAL ROLE " + roleIdent, java.util.Map.of());
            run(c, context, "SELECT set_config(:setting, :tenant, true)", binds("setting", setting, "tenant", tenant));
            return run(c, context, count, binds("tenant", tenant)).rows().get(0);
        });
        long visible = ((Number) counts.get(0)).longValue();
        long others = ((Number) counts.get(1)).longValue();
        List<List<Object>> rows = new ArrayList<>();
        rows.add(new ArrayList<>(Arrays.asList("role " + role + " is subject to row-level security",
                Boolean.TRUE.equals(r.get(4)) ? "superuser or BYPASSRLS" : Boolean.TRUE.equals(r.get(5)) ? "owns the table, RLS not forced" : "yes",
                !Boolean.TRUE.equals(r.get(4)) && !Boolean.TRUE.equals(r.get(5)))));
        rows.add(new ArrayList<>(Arrays.asList("tenant " + tenant + " sees its own rows", visible - others + " rows", visible - others > 0)));
        rows.add(new ArrayList<>(Arrays.asList("tenant " + tenant + " sees no other tenant's rows", others + " rows of other tenants", others == 0)));
        return ResultTable.of(List.of("condition", "observed", OK_COLUMN), rows);
    }
}
