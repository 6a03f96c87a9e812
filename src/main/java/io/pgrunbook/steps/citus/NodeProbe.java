package io.pgrunbook.steps.citus;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.load.Durations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which nodes behind the coordinator answer, asked once per run with a short connection timeout of its
 * own. A worker whose postmaster is stopped (SIGSTOP) accepts the TCP connection and then never
 * answers: without this probe every step that reaches it waits out the statement timeout and names
 * nothing. The first step that needs the nodes probes them (all in parallel, so the probe costs at
 * most one timeout); the answer is noted on the target for the later steps of the run.
 */
final class NodeProbe {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);
    static final String NOTE = "citus.node_probe";
    static final List<String> COLUMNS = List.of("node", "role", "answered", "result");

    /**
     * @param unreachable host:port of each node that did not answer, with Citus's reason
     * @param rows        one row per active primary node (node, role, answered, result)
     * @param timeout     the probe's connection timeout
     */
    record Result(Map<String, String> unreachable, List<List<Object>> rows, Duration timeout) {
        boolean allAnswered() {
            return unreachable.isEmpty();
        }

        /** "127.0.0.1:9702 did not answer within 3s (Citus: failed to connect ...)", for a message. */
        String describe() {
            List<String> parts = new ArrayList<>();
            unreachable.forEach((node, why) -> parts.add(node + " did not answer within " + Durations.show(timeout) + " (Citus: " + why + ")"));
            return String.join("; ", parts);
        }

        /** "1 node down", "2 nodes down". */
        String down() {
            return unreachable.size() + (unreachable.size() == 1 ? " node down" : " nodes down");
        }
    }

    private NodeProbe() {}

    /** The run's probe of this coordinator's nodes: the one an earlier step made, or a new one noted for later steps. */
    static Result of(StepContext context, Connection c) throws SQLException {
        Object known = context.noted(NOTE).orElse(null);
        if (known instanceof Result r) {
            return r;
        }
        Result r = probe(c, DEFAULT_TIMEOUT);
        context.note(NOTE, r);
        return r;
    }

    /** Probes every active primary node now, within {@code timeout}, and notes the answer for the run's later steps. */
    static Result probe(StepContext context, Connection c, Duration timeout) throws SQLException {
        Result r = probe(c, timeout);
        context.note(NOTE, r);
        return r;
    }

    private static Result probe(Connection c, Duration timeout) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CitusSql.NODE_CONNECTION_TIMEOUT)) {
            ps.setString(1, Math.max(10, timeout.toMillis()) + "ms");
            ps.execute();
        }
        Map<String, String> unreachable = new LinkedHashMap<>();
        List<List<Object>> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(CitusSql.NODE_PROBE); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String node = rs.getString("node");
                boolean answered = rs.getBoolean("success") && !rs.wasNull();
                String result = rs.getString("result");
                rows.add(Arrays.asList(node, rs.getString("role"), answered, result));
                if (!answered) {
                    unreachable.put(node, result == null ? "not reached" : result);
                }
            }
        }
        return new Result(unreachable, rows, timeout);
    }
}
