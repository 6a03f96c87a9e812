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
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code type: citus.distribution}: the tables are hash-distributed ({@code partmethod = 'h'}), share one
 * {@code colocationid}, and are distributed by the expected column (seed 000: "verify table distribution").
 */
public final class CitusDistributionStep extends CitusCheck {
    static final String COLUMN = "column";
    static final String COLOCATED = "colocated";

    @Override
    public String name() {
        return "citus.distribution";
    }

    @Override
    public String summary() {
        return "tables are hash-distributed, co-located and distributed by the expected column";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(TABLES_PARAM,
                ParamSpec.optional(COLUMN, ValueKind.STRING, "the distribution column every table must have (e.g. tenant_id)"),
                ParamSpec.optional(COLOCATED, ValueKind.BOOLEAN, "all tables share one colocationid (default true)"));
    }

    @Override
    StepOutcome check(StepContext context, Connection c) throws SQLException {
        Findings problems = new Findings();
        List<String> tables = resolveTables(context, c, problems);
        Object expectedColumn = context.step().with().get(COLUMN);
        boolean colocated = !Boolean.FALSE.equals(context.step().with().get(COLOCATED));
        List<String> columns = List.of("table", "partmethod", "repmodel", "colocationid", "distribution_column", "shards");
        List<List<Object>> rows = new ArrayList<>();
        Set<Object> colocationIds = new LinkedHashSet<>();
        try (PreparedStatement ps = c.prepareStatement(CitusSql.DISTRIBUTION)) {
            ps.setArray(1, textArray(c, tables));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String table = rs.getString("table_name");
                    String method = rs.getString("partmethod");
                    String repmodel = rs.getString("repmodel");
                    int colocation = rs.getInt("colocationid");
                    String column = rs.getString("distribution_column");
                    rows.add(Arrays.asList(table, method, repmodel, colocation, column, rs.getLong("shards")));
                    colocationIds.add(colocation);
                    if (!"h".equals(method)) {
                        problems.add(table, null, null, "partmethod is '" + method + "', not 'h': " + kind(method, repmodel, colocation)
                                + ", not hash-distributed");
                    } else if (expectedColumn != null && !expectedColumn.toString().equals(column)) {
                        problems.add(table, null, null, "distributed by " + column + ", expected " + expectedColumn);
                    }
                }
            }
        }
        if (colocated && colocationIds.size() > 1) {
            problems.add(null, null, null, "not co-located: " + colocationIds.size() + " colocationids " + colocationIds
                    + " (recreate with create_distributed_table(..., colocate_with => ...) or update_distributed_table_colocation)");
        }
        String expected = "partmethod = 'h'" + (colocated ? ", one colocationid" : "")
                + (expectedColumn != null ? ", distribution column " + expectedColumn : "");
        if (!problems.isEmpty()) {
            return outcome(Status.FAIL, problems.summary("problem"), problems.evidence(expected));
        }
        return outcome(Status.PASS, tables.size() + " tables hash-distributed" + (colocated ? " in colocation group " + colocationIds.iterator().next() : ""),
                new Evidence(expected, tables.size() + " tables as expected", columns, rows, rows.size()));
    }

    static String kind(String method, String repmodel, int colocation) {
        if ("n".equals(method)) {
            if ("t".equals(repmodel)) {
                return "a reference table";
            }
            return colocation == 0 ? "a Citus local table" : "a single-shard distributed table";
        }
        return "a".equals(method) ? "append-distributed" : "r".equals(method) ? "range-distributed" : "partmethod " + method;
    }
}
