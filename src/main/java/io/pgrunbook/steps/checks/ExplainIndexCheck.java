package io.pgrunbook.steps.checks;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrunbook.engine.Json;
import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.ValueKind;
import io.pgrunbook.runbook.sql.NamedSql;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The plan of a query (EXPLAIN without ANALYZE: the query is planned, never run) reads the given
 * table through an index ("Verify index usage (should show Index Scan)" of the performance checklist).
 */
public final class ExplainIndexCheck extends Check {

    @Override
    protected String check() {
        return "explain_uses_index";
    }

    @Override
    public String summary() {
        return "EXPLAIN of a query (planned, not run) scans a table through an index (optionally a named one)";
    }

    @Override
    public String recommendation() {
        return "Create the index the query needs (CREATE INDEX CONCURRENTLY on the filtered columns), run ANALYZE on the table, "
                + "and check that the query's types match the column's (a cast can keep an index from being used)";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.required("query", ValueKind.STRING, "the query to plan (one statement, no parameters)"),
                ParamSpec.optional("table", ValueKind.STRING, "judge only the scans of this table (default: every scan in the plan)"),
                ParamSpec.optional("index", ValueKind.STRING, "the index that must be used (default: any index)"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.count(null, 1L);
    }

    @Override
    public void validate(Step step, Set<String> targetNames, Problems problems) {
        super.validate(step, targetNames, problems);
        Object q = step.with().get("query");
        if (q instanceof String s && NamedSql.parse(s).statementHeads().size() != 1) {
            problems.add(step.location(), "step '" + step.id() + "': with.query must be exactly one statement");
        }
        if (q instanceof String s && !NamedSql.parse(s).parameters().isEmpty()) {
            problems.add(step.location(), "step '" + step.id() + "': with.query cannot take :parameters; write the values in the query");
        }
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        String query = param(context.step(), "query", "");
        String table = param(context.step(), "table", null);
        String index = param(context.step(), "index", null);
        if (table != null) {
            requireTables(context, List.of(table));
        }
        String tableName = table == null ? null : table.contains(".") ? table.substring(table.lastIndexOf('.') + 1) : table;
        ResultTable plan = query(context, "EXPLAIN (FORMAT JSON) " + query, java.util.Map.of());
        List<List<Object>> rows = new ArrayList<>();
        try {
            JsonNode root = Json.readTree(String.valueOf(plan.rows().get(0).get(0)));
            collect(root.get(0).get("Plan"), tableName, index, rows);
        } catch (java.io.IOException e) {
            throw new SQLException("could not read the plan: " + e.getMessage(), "XX000");
        }
        if (rows.isEmpty()) {
            rows.add(new ArrayList<>(Arrays.asList(table == null ? "(any)" : table, "no scan of it in the plan", null, false)));
        }
        return ResultTable.of(List.of("relation", "node_type", "index_name", OK_COLUMN), rows);
    }

    private static void collect(JsonNode node, String table, String index, List<List<Object>> rows) {
        if (node == null) {
            return;
        }
        JsonNode relation = node.get("Relation Name");
        JsonNode indexName = node.get("Index Name");
        String type = node.get("Node Type").asText();
        String rel = relation != null ? relation.asText() : null;
        if (type.contains("Scan") && (rel != null || indexName != null) && !type.startsWith("Bitmap Heap")) {
            if (table == null || table.equalsIgnoreCase(rel) || (rel == null && indexName != null)) {
                boolean usesIndex = indexName != null && (index == null || index.equalsIgnoreCase(indexName.asText()));
                rows.add(new ArrayList<>(Arrays.asList(rel, type, indexName == null ? null : indexName.asText(), usesIndex)));
            }
        }
        JsonNode plans = node.get("Plans");
        if (plans != null) {
            plans.forEach(p -> collect(p, table, index, rows));
        }
    }
}
