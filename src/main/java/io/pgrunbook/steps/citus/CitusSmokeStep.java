package io.pgrunbook.steps.citus;

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
import java.util.List;
import java.util.Map;

/**
 * {@code type: citus.smoke}: a cheap query ({@code SELECT 1 ... LIMIT 1}) on every placement of every
 * table through the coordinator (run_command_on_placements, in parallel), timed on the node; the slowest
 * shard is named (seed 000: "execute smoke query per shard").
 */
public final class CitusSmokeStep extends CitusCheck {

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
        List<List<Object>> rows = new ArrayList<>();
        for (String table : tables) {
            try (PreparedStatement ps = c.prepareStatement(CitusSql.SMOKE)) {
                ps.setString(1, table);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long shard = rs.getLong("shardid");
                        String node = rs.getString("node");
                        String result = rs.getString("result");
                        if (rs.getBoolean("success")) {
                            rows.add(Arrays.asList(table, shard, node, new BigDecimal(result)));
                        } else {
                            problems.add(table, shard, node, "the smoke query failed: " + result);
                        }
                    }
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
}
