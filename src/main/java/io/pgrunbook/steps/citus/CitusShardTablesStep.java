package io.pgrunbook.steps.citus;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrunbook.engine.Json;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.ParamSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code type: citus.shard_tables}: the metadata against what is really on the nodes. Every shard
 * placement recorded on a node exists there as a table; no node holds a shard table of a Citus table that
 * the metadata does not place there (what a failed move or rebalance leaves); pg_dist_cleanup has no
 * pending record. Citus itself has no command that reports these. Looks at the whole database.
 */
public final class CitusShardTablesStep extends CitusCheck {
    private static final Pattern SHARD_NAME = Pattern.compile("(.+)_([0-9]+)");

    @Override
    public String name() {
        return "citus.shard_tables";
    }

    @Override
    public String summary() {
        return "every shard in the metadata exists on its node, no orphaned shard table, no pending cleanup";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of();
    }

    private record Expected(String table, long shard, String node) {}

    @Override
    StepOutcome check(StepContext context, Connection c) throws SQLException {
        NodeProbe.Result probe = NodeProbe.of(context, c);
        if (!probe.allAnswered()) {
            return outcome(Status.ERROR, "not checked: " + probe.describe() + "; the shard tables on the nodes cannot be compared with "
                    + "the metadata until every node answers", new Evidence("every node answers", probe.down(),
                            NodeProbe.COLUMNS, probe.rows(), probe.rows().size()));
        }
        Findings problems = new Findings();
        // node id -> "schema\0relname" -> the placement the metadata records there
        Map<Integer, Map<String, Expected>> expected = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(CitusSql.EXPECTED_SHARD_TABLES); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                expected.computeIfAbsent(rs.getInt("nodeid"), k -> new LinkedHashMap<>())
                        .put(rs.getString("schema_name") + "\0" + rs.getString("shard_relname"),
                                new Expected(rs.getString("table_name"), rs.getLong("shardid"), rs.getString("node")));
            }
        }
        Set<String> citusTables = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(CitusSql.CITUS_TABLE_NAMES); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                citusTables.add(rs.getString(1) + "\0" + rs.getString(2));
            }
        }
        List<List<Object>> perNode = new ArrayList<>();
        int placements = 0;
        try (PreparedStatement ps = c.prepareStatement(CitusSql.NODE_SHARD_LIKE_TABLES); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int nodeId = rs.getInt("nodeid");
                String node = rs.getString("node");
                Map<String, Expected> want = expected.getOrDefault(nodeId, Map.of());
                if (!rs.getBoolean("success")) {
                    problems.add(null, null, node, "could not list the tables on the node: " + rs.getString("result"));
                    continue;
                }
                Set<String> present = new HashSet<>();
                int orphans = 0;
                for (JsonNode pair : parse(rs.getString("result"))) {
                    String schema = pair.get(0).asText();
                    String relname = pair.get(1).asText();
                    String key = schema + "\0" + relname;
                    present.add(key);
                    Matcher m = SHARD_NAME.matcher(relname);
                    if (!want.containsKey(key) && m.matches() && citusTables.contains(schema + "\0" + m.group(1))) {
                        orphans++;
                        problems.add(schema + "." + m.group(1), Long.parseLong(m.group(2)), node,
                                "orphaned shard table " + schema + "." + relname + ": on the node but not placed there in the metadata "
                                        + "(left by a failed move or rebalance; check pg_dist_cleanup, then drop it on the node)");
                    }
                }
                int missing = 0;
                for (Map.Entry<String, Expected> e : want.entrySet()) {
                    if (!present.contains(e.getKey())) {
                        missing++;
                        Expected x = e.getValue();
                        problems.add(x.table(), x.shard(), node, "shard table " + e.getKey().replace('\0', '.')
                                + " is in the metadata but missing on the node (queries on this shard fail)");
                    }
                }
                placements += want.size();
                perNode.add(Arrays.asList(node, want.size(), want.size() - missing, orphans));
            }
        }
        try (PreparedStatement ps = c.prepareStatement(CitusSql.PENDING_CLEANUP); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                problems.add(null, null, "group " + rs.getInt("node_group_id"), "pending cleanup record " + rs.getLong("record_id")
                        + " (operation " + rs.getLong("operation_id") + ", object type " + rs.getInt("object_type") + ", policy "
                        + rs.getInt("policy_type") + "): " + rs.getString("object_name")
                        + " still to be dropped; run CALL citus_cleanup_orphaned_resources() after checking no move is running");
            }
        }
        String expectedText = "every placement's shard table on its node, no orphaned shard table, pg_dist_cleanup empty";
        if (!problems.isEmpty()) {
            return outcome(Status.FAIL, problems.summary("problem"), problems.evidence(expectedText));
        }
        return outcome(Status.PASS, placements + " shard placements found on " + perNode.size() + " nodes, nothing orphaned",
                new Evidence(expectedText, placements + " placements present", List.of("node", "placements", "present", "orphaned"),
                        perNode, perNode.size()));
    }

    private static JsonNode parse(String json) throws SQLException {
        try {
            return Json.readTree(json);
        } catch (java.io.IOException e) {
            throw new SQLException("unexpected answer from run_command_on_all_nodes: " + json, "XX000", e);
        }
    }
}
