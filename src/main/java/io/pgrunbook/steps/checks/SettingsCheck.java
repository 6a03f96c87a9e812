package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.ValueKind;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Server settings against expected values or ranges; with {@code role:}, the value that role's
 * sessions get (ALTER ROLE ... SET, per database or for all) in place of the server's.
 */
public final class SettingsCheck extends Check {
    static final String SERVER_SQL = "SELECT name, setting, unit FROM pg_settings WHERE name = ANY(CAST(:names AS text[]))";
    // Database-specific role settings override the role's own, which override the server's.
    static final String ROLE_SQL = """
            SELECT split_part(cfg, '=', 1) AS name, substr(cfg, strpos(cfg, '=') + 1) AS setting,
                   CASE WHEN s.setdatabase = 0 THEN 'role' ELSE 'role in database' END AS source
            FROM pg_db_role_setting s
            JOIN pg_roles r ON r.oid = s.setrole
            CROSS JOIN LATERAL unnest(s.setconfig) AS cfg
            WHERE r.rolname = :role
              AND s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
            ORDER BY s.setdatabase""";
    static final String ROLE_EXISTS_SQL = "SELECT count(*) FROM pg_roles WHERE rolname = :role";

    @Override
    protected String check() {
        return "settings";
    }

    @Override
    public String summary() {
        return "server settings (or one role's settings) against expected values or {min, max} ranges";
    }

    @Override
    public String recommendation() {
        return "Set them in postgresql.conf or with ALTER SYSTEM (a restart for shared_buffers, max_connections and "
                + "wal_buffers; SELECT pg_reload_conf() for the others), or ALTER ROLE name SET setting = value for a role";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(
                ParamSpec.required("expected", ValueKind.MAP, "setting name: value (512MB, 750ms, on, 0.9) or {min: ..., max: ...}"),
                ParamSpec.optional("role", ValueKind.STRING, "judge the values this role's sessions get (ALTER ROLE ... SET) instead of the server's"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.count(1L, null);
    }

    @Override
    public void validate(Step step, Set<String> targetNames, Problems problems) {
        super.validate(step, targetNames, problems);
        if (step.with().get("expected") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (v instanceof Map<?, ?> range && (range.isEmpty() || !Set.of("min", "max").containsAll(range.keySet()))) {
                    problems.add(step.location(), "step '" + step.id() + "': with.expected." + k + " takes min and/or max, got " + range.keySet());
                }
            });
        }
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        @SuppressWarnings("unchecked")
        Map<String, Object> expected = (Map<String, Object>) context.step().with().get("expected");
        List<String> names = new ArrayList<>(expected.keySet());
        String role = param(context.step(), "role", null);
        Map<String, String> units = new HashMap<>();
        Map<String, String[]> actual = new LinkedHashMap<>();
        for (List<Object> r : query(context, SERVER_SQL, binds("names", names)).rows()) {
            units.put((String) r.get(0), (String) r.get(2));
            actual.put((String) r.get(0), new String[] {(String) r.get(1), "server"});
        }
        if (role != null) {
            long exists = ((Number) query(context, ROLE_EXISTS_SQL, binds("role", role)).rows().get(0).get(0)).longValue();
            if (exists == 0) {
                throw new SQLException("role \"" + role + "\" does not exist on this server", "42704");
            }
            for (List<Object> r : query(context, ROLE_SQL, binds("role", role)).rows()) {
                if (expected.containsKey((String) r.get(0))) {
                    actual.put((String) r.get(0), new String[] {(String) r.get(1), (String) r.get(2)});
                }
            }
        }
        List<List<Object>> rows = new ArrayList<>();
        for (String name : names) {
            String[] a = actual.get(name);
            Object want = expected.get(name);
            String shown = a == null ? null : a[1].equals("server") ? SettingValues.display(a[0], units.get(name)) : a[0];
            boolean ok = a != null && SettingValues.satisfies(a[0], want, units.get(name));
            rows.add(new ArrayList<>(java.util.Arrays.asList(name, shown, String.valueOf(want), a == null ? "unknown setting" : a[1], ok)));
        }
        return ResultTable.of(List.of("setting", "actual", "expected", "source", OK_COLUMN), rows);
    }
}
