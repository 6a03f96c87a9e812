package io.pgrunbook.steps.citus;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Metric;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.ValueKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code type: citus.skew}: bytes and shards per node for the tables (each shard counted once on each
 * node that holds it; reference tables are not among distributed tables), WARN when the largest node holds
 * more than {@code factor} times the mean, by bytes or by shard count.
 */
public final class CitusSkewStep extends CitusCheck {
    static final String FACTOR = "factor";
    static final double DEFAULT_FACTOR = 1.5;

    @Override
    public String name() {
        return "citus.skew";
    }

    @Override
    public String summary() {
        return "bytes and shards per node; warn when the largest node exceeds factor x the mean";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(TABLES_PARAM, ParamSpec.optional(FACTOR, ValueKind.NUMBER,
                "warn when the largest node holds more than this many times the mean (default " + DEFAULT_FACTOR + ")"));
    }

    @Override
    public void validate(Step step, java.util.Set<String> targetNames, Problems problems) {
        Object f = step.with().get(FACTOR);
        if (f instanceof Number n && n.doubleValue() < 1.0) {
            problems.add(step.location(), "citus.skew factor must be at least 1 (the largest node is never below the mean), not " + f);
        }
    }

    private static List<String> referenceTables(Connection c, List<String> tables) throws SQLException {
        List<String> out = new ArrayList<>();
        if (tables.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement(CitusSql.REFERENCE_TABLES)) {
            ps.setArray(1, textArray(c, tables));
            ps.setArray(2, textArray(c, tables));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    @Override
    StepOutcome check(StepContext context, Connection c) throws SQLException {
        Findings problems = new Findings();
        List<String> tables = resolveTables(context, c, problems);
        Object f = context.step().with().get(FACTOR);
        double factor = f instanceof Number n ? n.doubleValue() : f != null ? Double.parseDouble(f.toString()) : DEFAULT_FACTOR;
        NodeProbe.Result probe = NodeProbe.of(context, c);
        if (!probe.allAnswered()) {
            // A down node's shards have no size to read, and moving shards would not bring it back: no verdict, no advice.
            return outcome(Status.SKIP, "not judged: " + probe.describe() + "; sizes cannot be read on a node that is down, and a rebalance "
                    + "would not help: bring the node back first", new Evidence("every node answers", probe.down(), NodeProbe.COLUMNS, probe.rows(), probe.rows().size()));
        }
        List<List<Object>> rows = new ArrayList<>();
        List<Metric> metrics = new ArrayList<>();
        long totalBytes = 0;
        long totalShards = 0;
        try (PreparedStatement ps = c.prepareStatement(CitusSql.SKEW)) {
            ps.setArray(1, textArray(c, tables));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String node = rs.getString("node");
                    long shards = rs.getLong("shards");
                    long bytes = rs.getLong("bytes");
                    totalBytes += bytes;
                    totalShards += shards;
                    rows.add(new ArrayList<>(Arrays.asList(node, shards, bytes)));
                    metrics.add(Metric.gauge("pgrunbook_citus_node_bytes", "bytes of the checked tables' shards on the node", Map.of("node", node), bytes));
                    metrics.add(Metric.gauge("pgrunbook_citus_node_shards", "shards of the checked tables on the node", Map.of("node", node), shards));
                }
            }
        }
        String expected = "largest node <= " + factor + " x mean, by bytes and by shards";
        if (!problems.isEmpty()) {
            return outcome(Status.FAIL, problems.summary("problem"), problems.evidence(expected)).withMetrics(metrics);
        }
        if (rows.isEmpty()) {
            return outcome(Status.FAIL, "no active primary node holds shards", new Evidence(expected, "no nodes", List.of(), List.of(), 0));
        }
        double meanBytes = (double) totalBytes / rows.size();
        double meanShards = (double) totalShards / rows.size();
        List<String> skewed = new ArrayList<>();
        // Reference tables among the checked ones hold no skew (a full copy everywhere): named, not counted.
        List<String> references = referenceTables(c, tables);
        for (List<Object> r : rows) {
            long shards = (Long) r.get(1);
            long bytes = (Long) r.get(2);
            r.add(meanBytes == 0 ? null : Math.round(bytes / meanBytes * 100) / 100.0);
            if (meanBytes > 0 && bytes > factor * meanBytes) {
                skewed.add(r.get(0) + " holds " + bytes + " bytes, " + String.format(java.util.Locale.ROOT, "%.2f", bytes / meanBytes) + " x the mean");
            }
            if (meanShards > 0 && shards > factor * meanShards) {
                skewed.add(r.get(0) + " holds " + shards + " shards, " + String.format(java.util.Locale.ROOT, "%.2f", shards / meanShards) + " x the mean");
            }
        }
        String notCounted = references.isEmpty() ? "" : " (reference tables not counted: " + String.join(", ", references) + ")";
        Evidence evidence = new Evidence(expected, rows.size() + " nodes, " + totalShards + " shards, " + totalBytes + " bytes" + notCounted,
                List.of("node", "shards", "bytes", "x_mean_bytes"), rows, rows.size());
        if (!skewed.isEmpty()) {
            return outcome(Status.WARN, "skewed: " + String.join("; ", skewed) + " (rebalance with citus_rebalance_start())" + notCounted, evidence)
                    .withMetrics(metrics);
        }
        return outcome(Status.PASS, rows.size() + " nodes within " + factor + " x the mean" + notCounted, evidence).withMetrics(metrics);
    }
}
