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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
                ParamSpec.optional(COLUMN, ValueKind.STRING, "the distribution column every table must have (e.g. tenant_id); "
                        + "absent or empty: the column most of the tables use"),
                ParamSpec.optional(COLOCATED, ValueKind.BOOLEAN, "all tables share one colocationid (default true)"));
    }

    private record Row(String table, String method, String repmodel, int colocation, String column, long shards) {}

    @Override
    StepOutcome check(StepContext context, Connection c) throws SQLException {
        Findings problems = new Findings();
        List<String> tables = resolveTables(context, c, problems);
        Object declared = context.step().with().get(COLUMN);
        String declaredColumn = declared == null || declared.toString().isBlank() ? null : declared.toString().strip();
        boolean colocated = !Boolean.FALSE.equals(context.step().with().get(COLOCATED));
        List<Row> read = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(CitusSql.DISTRIBUTION)) {
            ps.setArray(1, textArray(c, tables));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    read.add(new Row(rs.getString("table_name"), rs.getString("partmethod"), rs.getString("repmodel"),
                            rs.getInt("colocationid"), rs.getString("distribution_column"), rs.getLong("shards")));
                }
            }
        }
        List<Row> hashed = read.stream().filter(r -> "h".equals(r.method())).toList();
        // Without a declared column, the one most of the tables use (ties: the first table's) is the expected one.
        String expectedColumn = declaredColumn != null ? declaredColumn : majority(hashed.stream().map(Row::column).toList());
        Integer group = majority(hashed.stream().map(Row::colocation).toList());
        List<List<Object>> rows = new ArrayList<>();
        for (Row r : read) {
            rows.add(Arrays.asList(r.table(), r.method(), r.repmodel(), r.colocation(), r.column(), r.shards()));
            if (!"h".equals(r.method())) {
                problems.add(r.table(), null, null, "partmethod is '" + r.method() + "', not 'h': " + kind(r.method(), r.repmodel(), r.colocation())
                        + ", not hash-distributed");
                continue;
            }
            if (expectedColumn != null && !expectedColumn.equals(r.column())) {
                problems.add(r.table(), null, null, "distributed by " + r.column() + ", expected " + expectedColumn
                        + (declaredColumn != null ? "" : " (the column the other tables use; declare it with column:)")
                        + ": its rows of one " + expectedColumn + " are spread over many shards. Redistribute it: "
                        + "SELECT alter_distributed_table('" + r.table() + "', distribution_column := '" + expectedColumn + "')");
            }
            if (colocated && group != null && r.colocation() != group) {
                problems.add(r.table(), null, null, "not co-located with the others: colocationid " + r.colocation() + ", the other tables "
                        + group + " (SELECT update_distributed_table_colocation('" + r.table() + "', colocate_with => '"
                        + hashed.stream().filter(o -> o.colocation() == group).findFirst().map(Row::table).orElse("...") + "'))");
            }
        }
        String expected = "partmethod = 'h'" + (colocated ? ", one colocationid" : "")
                + (expectedColumn != null ? ", distribution column " + expectedColumn + (declaredColumn != null ? "" : " (most tables')") : "");
        if (!problems.isEmpty()) {
            return outcome(Status.FAIL, problems.summary("problem"), problems.evidence(expected));
        }
        return outcome(Status.PASS, tables.size() + " tables hash-distributed" + (expectedColumn != null ? " by " + expectedColumn : "")
                        + (colocated && group != null ? " in colocation group " + group : ""),
                new Evidence(expected, tables.size() + " tables as expected",
                        List.of("table", "partmethod", "repmodel", "colocationid", "distribution_column", "shards"), rows, rows.size()));
    }

    /** The value most entries have; among equally common ones, the first seen. Null when there is none. */
    static <T> T majority(List<T> values) {
        Map<T, Integer> counts = new LinkedHashMap<>();
        values.stream().filter(java.util.Objects::nonNull).forEach(v -> counts.merge(v, 1, Integer::sum));
        T best = null;
        int most = 0;
        for (Map.Entry<T, Integer> e : counts.entrySet()) {
            if (e.getValue() > most) {
                best = e.getKey();
                most = e.getValue();
            }
        }
        return best;
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
