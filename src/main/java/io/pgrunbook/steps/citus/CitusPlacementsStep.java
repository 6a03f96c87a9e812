package io.pgrunbook.steps.citus;

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
import java.util.List;

/**
 * {@code type: citus.placements}: every shard has a placement on an active primary node, none is on an
 * inactive or unknown node, and the shards' hash ranges cover the whole int4 hash space with no gap
 * and no overlap (seed 000: "run shard health check").
 */
public final class CitusPlacementsStep extends CitusCheck {

    @Override
    public String name() {
        return "citus.placements";
    }

    @Override
    public String summary() {
        return "every shard placed on an active primary node, hash ranges without gap or overlap";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(TABLES_PARAM);
    }

    @Override
    StepOutcome check(StepContext context, Connection c) throws SQLException {
        Findings problems = new Findings();
        List<String> tables = resolveTables(context, c, problems);
        try (PreparedStatement ps = c.prepareStatement(CitusSql.PLACEMENT_PROBLEMS)) {
            ps.setArray(1, textArray(c, tables));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long shard = rs.getLong("shardid");
                    problems.add(rs.getString("table_name"), rs.wasNull() ? null : shard, rs.getString("node"), rs.getString("problem"));
                }
            }
        }
        String expected = "every shard on an active primary node, hash ranges covering -2147483648..2147483647 exactly once";
        if (!problems.isEmpty()) {
            return outcome(Status.FAIL, problems.summary("placement problem"), problems.evidence(expected));
        }
        List<List<Object>> rows = new ArrayList<>();
        long shards = 0;
        try (PreparedStatement ps = c.prepareStatement(CitusSql.PLACEMENT_SUMMARY)) {
            ps.setArray(1, textArray(c, tables));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    shards += rs.getLong("shards");
                    rows.add(Arrays.asList(rs.getString("table_name"), rs.getLong("shards"), rs.getLong("placements"), rs.getString("nodes")));
                }
            }
        }
        return outcome(Status.PASS, shards + " shards of " + tables.size() + " tables placed on active primary nodes",
                new Evidence(expected, shards + " shards, no problem", List.of("table", "shards", "placements", "nodes"), rows, rows.size()));
    }
}
