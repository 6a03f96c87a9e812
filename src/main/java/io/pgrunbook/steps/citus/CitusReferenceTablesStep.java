package io.pgrunbook.steps.citus;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code type: citus.reference_tables}: no reference table among the tables (or in the database when
 * none are named) unless declared under {@code allowed} (seed 000: "confirm reference tables absent").
 */
public final class CitusReferenceTablesStep extends CitusCheck {
    static final String ALLOWED = "allowed";

    @Override
    public String name() {
        return "citus.reference_tables";
    }

    @Override
    public String summary() {
        return "no reference tables among the tables (or in the database) except those declared";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(ParamSpec.optional(TABLES, ValueKind.STRING_LIST, "tables to look at; absent or empty: every Citus table in the database"),
                ParamSpec.optional(ALLOWED, ValueKind.STRING_LIST, "reference tables that are meant to be there"));
    }

    @Override
    StepOutcome check(StepContext context, Connection c) throws SQLException {
        List<String> named = namedTables(context);
        List<String> allowed = new ArrayList<>();
        Object a = context.step().with().get(ALLOWED);
        if (a instanceof List<?> list) {
            list.stream().filter(o -> o != null && !o.toString().isBlank()).forEach(o -> allowed.add(o.toString().strip()));
        }
        Findings problems = new Findings();
        List<List<Object>> found = new ArrayList<>();
        List<String> allowedQualified = qualified(c, allowed);
        try (PreparedStatement ps = c.prepareStatement(CitusSql.REFERENCE_TABLES)) {
            ps.setArray(1, textArray(c, named));
            ps.setArray(2, textArray(c, named));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String table = rs.getString(1);
                    boolean declared = allowedQualified.contains(table);
                    found.add(List.of(table, declared ? "declared" : "not declared"));
                    if (!declared) {
                        problems.add(table, null, null, "is a reference table (a full copy on every node), not hash-distributed; "
                                + "declare it under allowed if that is intended, else undistribute_table and create_distributed_table");
                    }
                }
            }
        }
        String scope = named.isEmpty() ? "the database" : "the " + named.size() + " tables";
        if (!problems.isEmpty()) {
            return outcome(Status.FAIL, problems.summary("undeclared reference table"), problems.evidence("no reference tables in " + scope
                    + (allowed.isEmpty() ? "" : " except " + allowed)));
        }
        return outcome(Status.PASS, found.isEmpty() ? "no reference tables in " + scope : found.size() + " reference tables, all declared",
                new Evidence("no reference tables in " + scope + (allowed.isEmpty() ? "" : " except " + allowed),
                        found.size() + " reference tables", List.of("table", "declared"), found, found.size()));
    }

    /** The allowed names as the catalog prints them (regclass text), so 'public.t' and 't' match. */
    private static List<String> qualified(Connection c, List<String> names) throws SQLException {
        List<String> out = new ArrayList<>(names);
        if (names.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(x)::text FROM unnest(?::text[]) x")) {
            ps.setArray(1, textArray(c, names));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(1) != null) {
                        out.add(rs.getString(1));
                    }
                }
            }
        }
        return out;
    }
}
