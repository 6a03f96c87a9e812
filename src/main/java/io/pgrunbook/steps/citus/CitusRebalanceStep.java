package io.pgrunbook.steps.citus;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.engine.StepType;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.ValueKind;
import io.pgrunbook.runbook.load.Durations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code type: citus.rebalance}: Citus's background rebalancer driven with the same safety as
 * everything else. {@code action: plan} lists the moves get_rebalance_table_shards_plan() would make
 * (read only); {@code run} refuses while another rebalance is active, starts citus_rebalance_start(),
 * follows the job to its end with progress, cleans up what the finished moves left and reports each
 * move; {@code status} shows the latest job; {@code stop} cancels the running one. The job runs inside
 * the cluster: when the step stops following (Ctrl-C, max_time) the job keeps going, and the step says so.
 */
public final class CitusRebalanceStep implements StepType {
    static final String ACTION = "action";
    static final String STRATEGY = "strategy";
    static final String THRESHOLD = "threshold";
    static final String MODE = "shard_transfer_mode";
    static final String DRAIN_NODE = "drain_node";
    static final String MAX_TIME = "max_time";

    static final Set<String> ACTIONS = Set.of("plan", "run", "status", "stop");
    static final Set<String> MODES = Set.of("auto", "force_logical", "block_writes");

    @Override
    public String name() {
        return "citus.rebalance";
    }

    @Override
    public String summary() {
        return "plan, run (and follow), show or stop a Citus background rebalance";
    }

    @Override
    public boolean writes() {
        return true;
    }

    /** plan and status only read (in a READ ONLY transaction): no confirmation for them. */
    @Override
    public boolean writes(Step step) {
        String action = action(step);
        return !(action.equals("plan") || action.equals("status"));
    }

    @Override
    public SqlUse sqlUse() {
        return SqlUse.NONE;
    }

    @Override
    public boolean acceptsExpect() {
        return false;
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(
                ParamSpec.optional(ACTION, ValueKind.STRING, "plan (read only), run (default), status (read only) or stop"),
                ParamSpec.optional(STRATEGY, ValueKind.STRING, "rebalance strategy (pg_dist_rebalance_strategy); absent or 'default': the default one"),
                ParamSpec.optional(THRESHOLD, ValueKind.NUMBER, "plan only: the strategy's threshold to plan with (citus_rebalance_start takes none)"),
                ParamSpec.optional(MODE, ValueKind.STRING, "auto (default), force_logical or block_writes"),
                ParamSpec.optional(DRAIN_NODE, ValueKind.STRING, "host:port of a worker to empty (shouldhaveshards set to false, then a drain-only rebalance); 'none': no drain"),
                ParamSpec.optional(MAX_TIME, ValueKind.DURATION, "run: stop following after this long (the job keeps running); 0: follow to the end"));
    }

    @Override
    public void validate(Step step, Set<String> targetNames, Problems problems) {
        Map<String, Object> with = step.with();
        String action = action(step);
        if (!ACTIONS.contains(action)) {
            problems.add(step.location(), "step '" + step.id() + "': action must be plan, run, status or stop, got '" + action + "'");
        }
        Object mode = with.get(MODE);
        if (mode != null && !MODES.contains(mode.toString())) {
            problems.add(step.location(), "step '" + step.id() + "': shard_transfer_mode must be auto, force_logical or block_writes, got '" + mode + "'");
        }
        if (with.get(THRESHOLD) != null && !action.equals("plan")) {
            problems.add(step.location(), "step '" + step.id() + "': threshold applies to action: plan only; citus_rebalance_start "
                    + "uses its strategy's default_threshold (to run with another, create a strategy with citus_add_rebalance_strategy)");
        }
        String drain = text(with.get(DRAIN_NODE));
        if (drain != null && DrainNode.parse(drain) == null) {
            problems.add(step.location(), "step '" + step.id() + "': drain_node must be host:port, got '" + drain + "'");
        }
    }

    @Override
    public List<String> describe(Step step) {
        Settings s = Settings.of(step.with());
        return switch (action(step)) {
            case "plan" -> List.of("-- read-only, on the coordinator: the moves of get_rebalance_table_shards_plan("
                    + s.describe() + (s.threshold() == null ? "" : ", threshold " + s.threshold()) + ")");
            case "status" -> List.of("-- read-only, on the coordinator: the latest rebalance job (pg_dist_background_job) and its moves");
            case "stop" -> List.of("SELECT citus_rebalance_stop()  -- cancels the running rebalance job");
            default -> {
                List<String> lines = new ArrayList<>();
                lines.add("-- refused while another rebalance job is scheduled or running");
                if (s.drain() != null) {
                    lines.add("SELECT citus_set_node_property('" + s.drain().host() + "', " + s.drain().port() + ", 'shouldhaveshards', false)");
                }
                lines.add("SELECT citus_rebalance_start(" + s.describe() + ")  -- a background job inside the cluster");
                lines.add("-- followed until it ends" + (s.maxTime().isZero() ? "" : " or for at most " + Durations.show(s.maxTime()))
                        + "; then CALL citus_cleanup_orphaned_resources()");
                yield lines;
            }
        };
    }

    @Override
    public StepOutcome execute(StepContext context) throws Exception {
        Settings s = Settings.of(context.step().with());
        String action = action(context.step());
        if (action.equals("plan") || action.equals("status")) {
            return context.inTransaction(true, c -> {
                StepOutcome missing = CitusPresence.check(c, context.targetName());
                if (missing != null) {
                    return missing;
                }
                return action.equals("plan") ? plan(c, s) : RebalanceJob.status(c, context.targetName());
            });
        }
        return context.withoutTransaction(c -> {
            StepOutcome missing = CitusPresence.check(c, context.targetName());
            if (missing != null) {
                return missing;
            }
            return action.equals("stop") ? RebalanceJob.stop(c, context) : run(c, context, s);
        });
    }

    private static StepOutcome plan(Connection c, Settings s) throws SQLException {
        Boolean takesShards = s.drain() == null ? null : takesShards(c, s.drain());
        if (s.drain() != null && takesShards == null) {
            return unknownNode(s.drain());
        }
        // Until the run marks the node, Citus plans nothing off it: show what sits there instead.
        List<List<Object>> moves = Boolean.TRUE.equals(takesShards) ? onNode(c, s.drain()) : planMoves(c, s);
        long bytes = moves.stream().mapToLong(m -> m.get(2) == null ? 0 : ((Number) m.get(2)).longValue()).sum();
        Evidence evidence = new Evidence("the moves get_rebalance_table_shards_plan() proposes", moves.size() + " moves",
                MoveTable.PLAN_COLUMNS, moves, moves.size());
        if (moves.isEmpty()) {
            return StepOutcome.verdict(Status.PASS, "nothing to move: " + (s.drain() != null ? s.drain() + " holds no distributed shard"
                    : "the cluster is balanced by the " + (s.strategy() == null ? "default" : s.strategy()) + " strategy")
                    + "; nothing was changed", evidence);
        }
        String what = Boolean.TRUE.equals(takesShards)
                ? moves.size() + " shards on " + s.drain() + " would move off it (" + MoveTable.bytes(bytes) + "); the rebalancer picks "
                        + "their new nodes when the drain runs"
                : moves.size() + " shard moves planned (" + MoveTable.bytes(bytes) + "; co-located shards move together)";
        return StepOutcome.verdict(Status.PASS, what + "; nothing was changed\n" + MoveTable.render(MoveTable.PLAN_COLUMNS, moves), evidence);
    }

    /** The node's shouldhaveshards, or null when it is no primary node of the cluster. */
    private static Boolean takesShards(Connection c, DrainNode node) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RebalanceSql.NODE_TAKES_SHARDS)) {
            ps.setString(1, node.host());
            ps.setInt(2, node.port());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }

    private static List<List<Object>> onNode(Connection c, DrainNode node) throws SQLException {
        List<List<Object>> moves = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(RebalanceSql.ON_NODE)) {
            ps.setString(1, node.host());
            ps.setInt(2, node.port());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    moves.add(java.util.Arrays.asList(rs.getString("table_name"), rs.getLong("shardid"), rs.getLong("bytes"),
                            rs.getString("from_node"), "(chosen at run)"));
                }
            }
        }
        return moves;
    }

    private static StepOutcome unknownNode(DrainNode node) {
        return StepOutcome.verdict(Status.ERROR, "drain_node " + node + " is not a primary node of this cluster (pg_dist_node); "
                + "give it as the coordinator lists it (SELECT nodename, nodeport FROM pg_dist_node)", Evidence.none());
    }

    private static List<List<Object>> planMoves(Connection c, Settings s) throws SQLException {
        List<List<Object>> moves = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(RebalanceSql.PLAN)) {
            if (s.threshold() == null) {
                ps.setNull(1, java.sql.Types.REAL);
            } else {
                ps.setDouble(1, s.threshold());
            }
            ps.setBoolean(2, s.drain() != null);
            ps.setString(3, s.strategy());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    moves.add(java.util.Arrays.asList(rs.getString("table_name"), rs.getLong("shardid"), rs.getLong("bytes"),
                            rs.getString("from_node"), rs.getString("to_node")));
                }
            }
        }
        return moves;
    }

    private static StepOutcome run(Connection c, StepContext context, Settings s) throws SQLException {
        StepOutcome busy = RebalanceJob.refuseIfActive(c, context.targetName());
        if (busy != null) {
            return busy;
        }
        if (s.drain() != null) {
            if (takesShards(c, s.drain()) == null) {
                return unknownNode(s.drain());
            }
            try (PreparedStatement ps = c.prepareStatement(RebalanceSql.MARK_DRAIN)) {
                ps.setString(1, s.drain().host());
                ps.setInt(2, s.drain().port());
                ps.execute();
            }
        }
        int planned = planMoves(c, s).size();
        Long jobId;
        try (PreparedStatement ps = c.prepareStatement(RebalanceSql.START)) {
            ps.setString(1, s.strategy());
            ps.setBoolean(2, s.drain() != null);
            ps.setString(3, s.mode());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long id = rs.getLong(1);
                jobId = rs.wasNull() ? null : id;
            }
        } catch (SQLException e) {
            // Another client started one between our check and our start: Citus refuses, we say what to do.
            if (String.valueOf(e.getMessage()).contains("already running")) {
                StepOutcome raced = RebalanceJob.refuseIfActive(c, context.targetName());
                if (raced != null) {
                    return raced;
                }
            }
            throw e;
        }
        if (jobId == null) {
            return StepOutcome.verdict(Status.PASS, "nothing to move: citus_rebalance_start scheduled no job (the cluster is balanced"
                    + (planned > 0 ? "; the plan listed " + planned + " moves a moment ago" : "") + ")", Evidence.none());
        }
        return RebalanceJob.follow(c, context, jobId, s.maxTime());
    }

    static String action(Step step) {
        String a = text(step.with().get(ACTION));
        return a == null ? "run" : a.toLowerCase(Locale.ROOT);
    }

    /** A parameter's text, null when absent, blank or 'none'/'default' (the way --set clears one). */
    static String text(Object value) {
        if (value == null) {
            return null;
        }
        String t = value.toString().strip();
        return t.isEmpty() || t.equalsIgnoreCase("none") || t.equalsIgnoreCase("default") ? null : t;
    }

    /** host:port of a node to drain. */
    record DrainNode(String host, int port) {
        static DrainNode parse(String text) {
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || colon == text.length() - 1) {
                return null;
            }
            try {
                int port = Integer.parseInt(text.substring(colon + 1));
                return port > 0 && port < 65536 ? new DrainNode(text.substring(0, colon), port) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    record Settings(String strategy, Double threshold, String mode, DrainNode drain, Duration maxTime) {
        static Settings of(Map<String, Object> with) {
            Object threshold = with.get(THRESHOLD);
            String drain = text(with.get(DRAIN_NODE));
            Object maxTime = with.get(MAX_TIME);
            Duration max = maxTime instanceof Duration d ? d
                    : maxTime == null ? Duration.ZERO : Durations.parse(maxTime.toString()).orElse(Duration.ZERO);
            String mode = text(with.get(MODE));
            return new Settings(text(with.get(STRATEGY)), threshold == null ? null : ((Number) threshold).doubleValue(),
                    mode == null ? "auto" : mode, drain == null ? null : DrainNode.parse(drain), max);
        }

        String describe() {
            return "rebalance_strategy => " + (strategy == null ? "default" : "'" + strategy + "'") + ", drain_only => "
                    + (drain != null) + ", shard_transfer_mode => '" + mode + "'";
        }
    }
}
