package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A table's own autovacuum storage parameters (ALTER TABLE ... SET (...)) against expected values. */
public final class AutovacuumSettingsCheck extends Check {
    /** The readiness runbook's values for ext_storage_records. */
    static final Map<String, Object> DEFAULT_EXPECTED = defaults();
    static final String SQL = """
            SELECT w.name, split_part(o.opt, '=', 2) AS table_value, s.setting AS server_value
            FROM unnest(CAST(:names AS text[])) AS w(name)
            LEFT JOIN LATERAL (SELECT opt FROM unnest((SELECT reloptions FROM pg_class WHERE oid = to_regclass(:table)::oid)) AS opt
                               WHERE split_part(opt, '=', 1) = w.name) o ON true
            LEFT JOIN pg_settings s ON s.name = w.name""";

    private static Map<String, Object> defaults() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("autovacuum_vacuum_scale_factor", "0.05");
        m.put("autovacuum_analyze_scale_factor", "0.02");
        return java.util.Collections.unmodifiableMap(m);
    }

    @Override
    protected String check() {
        return "autovacuum_settings";
    }

    @Override
    public String summary() {
        return "a table's autovacuum storage parameters against expected values (default: scale factors 0.05 and 0.02)";
    }

    @Override
    public String recommendation() {
        return "Set them on the table: ALTER TABLE name SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02); "
                + "it takes a SHARE UPDATE EXCLUSIVE lock only";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.required("table", ValueKind.STRING, "the table (schema.table or as on search_path)"),
                ParamSpec.optional("expected", ValueKind.MAP, "storage parameter: value (default autovacuum_vacuum_scale_factor: 0.05, "
                        + "autovacuum_analyze_scale_factor: 0.02)"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.count(1L, null);
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        String table = param(context.step(), "table", "");
        requireTables(context, List.of(table));
        Map<String, Object> expected = param(context.step(), "expected", DEFAULT_EXPECTED);
        ResultTable t = query(context, SQL, binds("names", new ArrayList<>(expected.keySet()), "table", table));
        List<List<Object>> rows = new ArrayList<>();
        for (List<Object> r : t.rows()) {
            String name = (String) r.get(0);
            String tableValue = (String) r.get(1);
            String actual = tableValue == null || tableValue.isEmpty() ? null : tableValue;
            boolean ok = actual != null && SettingValues.satisfies(actual, expected.get(name), null);
            rows.add(new ArrayList<>(Arrays.asList(table, name, actual == null ? "not set (server: " + r.get(2) + ")" : actual,
                    String.valueOf(expected.get(name)), ok)));
        }
        return ResultTable.of(List.of("table_name", "parameter", "actual", "expected", OK_COLUMN), rows);
    }
}
