package io.pgrunbook.steps.citus;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgrunbook.engine.Json;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Metric;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.ParamSpec;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code type: citus.smoke}: a cheap query ({@code SELECT 1 ... LIMIT 1}) on every placement of every
 * table, timed on the node; the slowest shard is named (seed 000: "execute smoke query per shard").
 * One command per node probes all of that node's placements in turn (master_run_on_worker, the nodes
 * in parallel): one connection per node instead of one per placement. Only when a node's batch fails
 * are its placements probed one by one, so the report names exactly the placements that fail.
 */
public final class CitusSmokeStep extends CitusCheck {

    private record Placement(String table, long shard, String relation) {}

    @Override
    public String name() {
        return "citus.smoke";
    }

    @Override
    public String summary() {
        return "a query on every shard placement answers; the slowest shard named";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(TABLES_PARAM);
    }

    @Override
    StepOutcome check(StepContext context, Connection c) throws SQLException {
        Findings problems = new Findings();
        List<String> tables = resolveTables(context, c, problems);
        // "host:port" -> that node's placements, in probe order
        Map<String, List<Placement>> byNode = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(CitusSql.SMOKE_PLACEMENTS)) {
            ps.setArray(1, textArray(c, tables));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byNode.computeIfAbsent(rs.getString("nodename") + ":" + rs.getInt("nodeport"), k -> new ArrayList<>())
                            .add(new Placement(rs.getString("table_name"), rs.getLong("shardid"), rs.getString("shard_relation")));
                }
            }
        }
        List<List<Object>> rows = new ArrayList<>();
        NodeProbe.Result probe = NodeProbe.of(context, c);
        for (String node : probe.unreachable().keySet()) {
            // A node that did not answer the probe is not asked again: each of its placements is named at once.
            for (Placement p : byNode.getOrDefault(node, List.of())) {
                problems.add(p.table(), p.shard(), node, "not probed: on " + unreachableAmong(probe, List.of(node)));
            }
            byNode.remove(node);
        }
        List<String> nodes = new ArrayList<>(byNode.keySet());
        List<String> batches = new ArrayList<>();
        for (String node : nodes) {
            batches.add(batch(byNode.get(node)));
        }
        List<String[]> answers = runOnNodes(c, nodes, batches);
        for (int i = 0; i < nodes.size(); i++) {
            String node = nodes.get(i);
            List<Placement> placements = byNode.get(node);
            if (answers.get(i) != null && "t".equals(answers.get(i)[0])) {
                collect(node, placements, parse(answers.get(i)[1]), rows);
                continue;
            }
            // The batch failed (a missing shard table fails the whole statement): probe each placement alone.
            List<String> single = new ArrayList<>();
            for (Placement p : placements) {
                single.add(batch(List.of(p)));
            }
            List<String[]> each = runOnNodes(c, java.util.Collections.nCopies(placements.size(), node), single);
            for (int j = 0; j < placements.size(); j++) {
                Placement p = placements.get(j);
                String[] answer = each.get(j);
                if (answer != null && "t".equals(answer[0])) {
                    collect(node, List.of(p), parse(answer[1]), rows);
                } else {
                    problems.add(p.table(), p.shard(), node, "the smoke query failed: " + (answer == null ? "no answer" : answer[1]));
                }
            }
        }
        rows.sort(Comparator.comparing((List<Object> r) -> (BigDecimal) r.get(3)).reversed());
        String slowest = rows.isEmpty() ? "none" : rows.get(0).get(0) + " shard " + rows.get(0).get(1) + " on " + rows.get(0).get(2)
                + " (" + rows.get(0).get(3) + " ms)";
        List<Metric> metrics = rows.isEmpty() ? List.of() : List.of(Metric.gauge("pgrunbook_citus_slowest_shard_ms",
                "server-side time of the smoke query on the slowest shard placement", Map.of(), ((BigDecimal) rows.get(0).get(3)).doubleValue()));
        String expected = "SELECT 1 ... LIMIT 1 answers on every shard placement";
        if (!problems.isEmpty()) {
            return outcome(Status.FAIL, problems.summary("failed shard") + "; slowest that answered: " + slowest,
                    problems.evidence(expected)).withMetrics(metrics);
        }
        return outcome(Status.PASS, rows.size() + " shard placements answered; slowest: " + slowest,
                new Evidence(expected, rows.size() + " placements answered, slowest first",
                        List.of("table", "shard", "node", "ms"), rows.subList(0, Math.min(rows.size(), 10)), rows.size()))
                .withMetrics(metrics);
    }

    /** One statement probing the placements in order; relation names come quoted from the server (shard_name). */
    private static String batch(List<Placement> placements) {
        StringBuilder probes = new StringBuilder();
        for (int i = 0; i < placements.size(); i++) {
            probes.append(i == 0 ? "" : " UNION ALL ").append(String.format(CitusSql.SMOKE_PROBE, i + 1, placements.get(i).relation()));
        }
        return String.format(CitusSql.SMOKE_BATCH, probes);
    }

    /** {success ("t"/"f"), result} per command, in the order given (null when the node gave no answer). */
    private static List<String[]> runOnNodes(Connection c, List<String> nodes, List<String> commands) throws SQLException {
        List<String[]> answers = new ArrayList<>();
        if (nodes.isEmpty()) {
            return answers;
        }
        List<String> hosts = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        for (String node : nodes) {
            int colon = node.lastIndexOf(':');
            hosts.add(node.substring(0, colon));
            ports.add(Integer.parseInt(node.substring(colon + 1)));
        }
        try (PreparedStatement ps = c.prepareStatement(CitusSql.RUN_ON_NODES)) {
            ps.setArray(1, c.createArrayOf("text", hosts.toArray()));
            ps.setArray(2, c.createArrayOf("int4", ports.toArray()));
            ps.setArray(3, c.createArrayOf("text", commands.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    answers.add(new String[] {rs.getBoolean("success") ? "t" : "f", rs.getString("result")});
                }
            }
        }
        while (answers.size() < nodes.size()) {
            answers.add(null);
        }
        return answers;
    }

    private static void collect(String node, List<Placement> placements, JsonNode timings, List<List<Object>> rows) {
        for (JsonNode t : timings) {
            Placement p = placements.get(t.get(0).asInt() - 1);
            rows.add(Arrays.asList(p.table(), p.shard(), node, t.get(1).decimalValue()));
        }
    }

    private static JsonNode parse(String json) throws SQLException {
        try {
            return Json.readTree(json);
        } catch (java.io.IOException e) {
            throw new SQLException("unexpected answer from master_run_on_worker: " + json, "XX000", e);
        }
    }
}
