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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code type: citus.node_health}: every node reaches every other (each node checks its own connections, all at once),
 * and the citus extension and PostgreSQL versions are the same on every node. A differing minor
 * PostgreSQL version (a rolling upgrade) warns; a differing Citus or major version fails.
 */
public final class CitusNodeHealthStep extends CitusCheck {

    @Override
    public String name() {
        return "citus.node_health";
    }

    @Override
    public String summary() {
        return "all nodes reach each other; same Citus and PostgreSQL version everywhere";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of();
    }

    @Override
    StepOutcome check(StepContext context, Connection c) throws SQLException {
        NodeProbe.Result probe = NodeProbe.of(context, c);
        if (!probe.allAnswered()) {
            // citus_check_cluster_node_health() would have every node wait for the one that does not answer.
            return outcome(Status.FAIL, probe.describe() + "; the connections between nodes and their versions were not checked",
                    new Evidence("every node answers", probe.down(), NodeProbe.COLUMNS, probe.rows(), probe.rows().size()));
        }
        Findings problems = new Findings();
        int pairs = 0;
        // Each node checks its connections to the others itself (all nodes at once, in the versions query);
        // a node without the metadata lists no node, and then Citus's own check, one pair after another, runs.
        boolean everyNodeChecked = true;
        List<List<Object>> rows = new ArrayList<>();
        Set<String> citus = new LinkedHashSet<>();
        Set<Integer> majors = new LinkedHashSet<>();
        Set<String> servers = new LinkedHashSet<>();
        List<String> inactive = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(CitusSql.NODE_VERSIONS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String node = rs.getString("node");
                boolean active = rs.getBoolean("isactive");
                String result = rs.getString("result");
                boolean success = rs.getBoolean("success") && !rs.wasNull();
                if (!active) {
                    inactive.add(node);
                    rows.add(Arrays.asList(node, rs.getString("role"), false, null, null));
                    continue;
                }
                if (!success) {
                    problems.add(null, null, node, "could not read the versions: " + (result == null ? "the node was not reached" : result));
                    rows.add(Arrays.asList(node, rs.getString("role"), true, null, null));
                    continue;
                }
                JsonNode v = parse(result);
                JsonNode reaches = v.get("reaches");
                if (reaches == null || reaches.isEmpty()) {
                    everyNodeChecked = false;
                } else {
                    for (JsonNode pair : reaches) {
                        pairs++;
                        if (!pair.get(1).asBoolean(false)) {
                            problems.add(null, null, node, "cannot connect to " + pair.get(0).asText());
                        }
                    }
                }
                String citusVersion = v.get("citus").isNull() ? null : v.get("citus").asText();
                String server = v.get("server").asText();
                citus.add(String.valueOf(citusVersion));
                servers.add(server);
                majors.add(v.get("server_num").asInt() / 10000);
                rows.add(Arrays.asList(node, rs.getString("role"), true, citusVersion, server));
                if (citusVersion == null) {
                    problems.add(null, null, node, "the citus extension is not created in this database on the node");
                }
            }
        }
        if (!everyNodeChecked) {
            pairs = 0;
            try (PreparedStatement ps = c.prepareStatement(CitusSql.NODE_HEALTH); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pairs++;
                    boolean ok = rs.getBoolean("result") && !rs.wasNull();
                    if (!ok) {
                        problems.add(null, null, rs.getString("from_node"), "cannot connect to " + rs.getString("to_node"));
                    }
                }
            }
        }
        if (citus.size() > 1) {
            problems.add(null, null, null, "Citus versions differ between nodes: " + citus + " (ALTER EXTENSION citus UPDATE on each node)");
        }
        if (majors.size() > 1) {
            problems.add(null, null, null, "PostgreSQL major versions differ between nodes: " + servers);
        }
        String expected = "every node reaches every node; one Citus version, one PostgreSQL version";
        if (!problems.isEmpty()) {
            Evidence e = problems.evidence(expected);
            return outcome(Status.FAIL, problems.summary("problem"), e);
        }
        Evidence evidence = new Evidence(expected, pairs + " connections checked, Citus " + citus + ", PostgreSQL " + servers,
                List.of("node", "role", "active", "citus", "postgresql"), rows, rows.size());
        if (servers.size() > 1 || !inactive.isEmpty()) {
            return outcome(Status.WARN, (servers.size() > 1 ? "PostgreSQL minor versions differ: " + servers + ". " : "")
                    + (inactive.isEmpty() ? "" : "inactive nodes: " + inactive), evidence);
        }
        return outcome(Status.PASS, rows.size() + " nodes healthy, Citus " + citus.iterator().next() + " on PostgreSQL "
                + servers.iterator().next() + " everywhere", evidence);
    }

    private static JsonNode parse(String json) throws SQLException {
        try {
            return Json.readTree(json);
        } catch (java.io.IOException e) {
            throw new SQLException("unexpected answer from run_command_on_all_nodes: " + json, "XX000", e);
        }
    }
}
