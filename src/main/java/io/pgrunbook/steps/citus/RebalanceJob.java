package io.pgrunbook.steps.citus;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Citus background rebalance job, seen from the coordinator: refusing a second one, following one
 * to its end with progress, showing the latest one, stopping the running one. The job lives in the
 * cluster (pg_dist_background_job): whoever stops watching, it goes on.
 */
final class RebalanceJob {
    private static final Logger LOG = LoggerFactory.getLogger(RebalanceJob.class);
    private static final Set<String> ENDED = Set.of("finished", "cancelled", "failed");
    private static final long POLL_MS = 500;
    /** How often progress is logged (a terminal shows it; a cron job's log stays short). */
    private static final long PROGRESS_EVERY_MS = 2000;
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);
    /**
     * Citus retries a failed move for ever, with growing pauses, and the job stays "running": after this
     * many failures of one task the step stops following and reports Citus's error (the job goes on).
     */
    static final int TASK_FAILURES_TO_GIVE_UP = 2;

    private RebalanceJob() {}

    record State(long jobId, String state, java.sql.Timestamp startedAt, long seconds) {
        boolean ended() {
            return ENDED.contains(state);
        }
    }

    record Counts(long done, long total) {}

    static String howToFollow(long jobId) {
        return "follow it with 'pgrunbook rebalance --status' (or SELECT * FROM citus_rebalance_status()), stop it with "
                + "'pgrunbook rebalance --stop' (citus_rebalance_stop()), both with the same --db";
    }

    /** A FAIL saying which job holds the rebalancer and what to do, or null when none does. */
    static StepOutcome refuseIfActive(Connection c, String target) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RebalanceSql.ACTIVE_JOB); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            long id = rs.getLong("job_id");
            String state = rs.getString("state");
            java.sql.Timestamp started = rs.getTimestamp("started_at");
            return StepOutcome.verdict(Status.FAIL, "refused: a rebalance is already " + state + " on " + target + " as job " + id
                    + (started == null ? "" : " (started " + started.toInstant() + ")") + "; Citus runs one at a time. "
                    + "Nothing was started; " + howToFollow(id) + ".",
                    new Evidence("no rebalance job scheduled or running", "job " + id + " " + state,
                            List.of("job_id", "state"), List.of(Arrays.asList(id, state)), 1));
        }
    }

    /** Follows the job until it ends, the run is interrupted, or maxTime passes. */
    static StepOutcome follow(Connection c, StepContext context, long jobId, Duration maxTime) throws SQLException {
        long began = System.nanoTime();
        long lastLog = 0;
        long lastError = 0;
        State state;
        while (true) {
            if (context.isCancelled()) {
                return stoppedFollowing(c, jobId, "interrupted");
            }
            try {
                state = state(c, jobId);
                if (state.ended()) {
                    break;
                }
                String[] failing = retryingTask(c, jobId);
                if (failing != null && Long.parseLong(failing[1]) >= TASK_FAILURES_TO_GIVE_UP) {
                    return failing(c, jobId, failing);
                }
                long now = System.nanoTime();
                if (failing != null && lastError < Long.parseLong(failing[1])) {
                    lastError = Long.parseLong(failing[1]);
                    LOG.warn("rebalance job {}: task {} (shard {}) failed; Citus will retry it: {}", jobId, failing[0], failing[3], failing[2]);
                }
                if (!maxTime.isZero() && now - began >= maxTime.toNanos()) {
                    return stoppedFollowing(c, jobId, "max_time " + io.pgrunbook.runbook.load.Durations.show(maxTime) + " reached");
                }
                if (lastLog == 0 || now - lastLog >= PROGRESS_EVERY_MS * 1_000_000) {
                    lastLog = now;
                    logProgress(c, state);
                }
            } catch (SQLException e) {
                if (context.isCancelled()) {
                    return stoppedFollowing(null, jobId, "interrupted");
                }
                throw e;
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return stoppedFollowing(null, jobId, "interrupted");
            }
        }
        List<List<Object>> tasks = tasks(c, jobId);
        Evidence evidence = new Evidence("rebalance job " + jobId + " finished", "job " + jobId + " " + state.state(),
                MoveTable.TASK_COLUMNS, tasks, tasks.size());
        if (!state.state().equals("finished")) {
            String error = tasks.stream().filter(t -> t.get(7) != null).map(t -> "task " + t.get(0) + " (shard " + t.get(3) + "): " + t.get(7))
                    .findFirst().orElse("no task reported an error");
            return StepOutcome.verdict(Status.FAIL, "rebalance job " + jobId + " " + state.state() + " after " + state.seconds() + "s ("
                    + count(tasks, "done") + " of " + tasks.size() + " moves done): " + error
                    + ". Shards already moved stay moved; check with 'pgrunbook validate-shards --citus' and rerun to finish.", evidence);
        }
        // Citus drops the old placements of finished moves later (defer_shard_delete_interval); drop them now so
        // the checks that follow see a settled cluster instead of pending cleanup records.
        try (Statement st = c.createStatement()) {
            st.execute(RebalanceSql.CLEANUP);
        }
        long bytes = tasks.stream().mapToLong(t -> t.get(4) == null ? 0 : ((Number) t.get(4)).longValue()).sum();
        return StepOutcome.verdict(Status.PASS, "rebalance job " + jobId + " finished in " + state.seconds() + "s: " + tasks.size()
                + " moves done (" + MoveTable.bytes(bytes) + ")\n" + MoveTable.render(MoveTable.TASK_COLUMNS.subList(0, 7), tasks), evidence);
    }

    /** A task Citus keeps retrying: FAIL with its error; the job is still running (and retrying) in the cluster. */
    private static StepOutcome failing(Connection c, long jobId, String[] task) throws SQLException {
        List<List<Object>> tasks = tasks(c, jobId);
        return StepOutcome.verdict(Status.FAIL, "rebalance job " + jobId + ": task " + task[0] + " (shard " + task[3] + ") failed "
                + task[1] + " times: " + task[2] + ". Citus keeps retrying it with growing pauses and the job stays running ("
                + count(tasks, "done") + " of " + tasks.size() + " moves done); fix the cause on the nodes, or "
                + howToFollow(jobId) + ".",
                new Evidence("rebalance job " + jobId + " finished", "task " + task[0] + " failing", MoveTable.TASK_COLUMNS, tasks, tasks.size()));
    }

    /** {task_id, failures, message, shardid} of the task failing most, or null when none is. */
    private static String[] retryingTask(Connection c, long jobId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RebalanceSql.RETRYING_TASK)) {
            ps.setLong(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                // The executor's CONTEXT line names Citus's own worker process: noise next to the error itself.
                String message = String.valueOf(rs.getString("message")).split("\nCONTEXT:")[0].strip();
                return new String[] {rs.getString("task_id"), rs.getString("failures"), message, rs.getString("shardid")};
            }
        }
    }

    /** Not PASS: the work is not known to be done; the job keeps running, and the message says how to reach it. */
    private static StepOutcome stoppedFollowing(Connection c, long jobId, String why) {
        String progress = "";
        if (c != null) {
            try {
                Counts n = counts(c, jobId);
                progress = " (" + n.done() + " of " + n.total() + " moves done so far)";
            } catch (SQLException e) {
                // Only the progress figure is lost; the message below still says where the job is.
            }
        }
        return StepOutcome.verdict(Status.FAIL, "stopped following rebalance job " + jobId + " (" + why + "): the job keeps running "
                + "in the background inside the cluster" + progress + "; " + howToFollow(jobId) + ".",
                new Evidence("rebalance job " + jobId + " finished", "still running when pgrunbook stopped following",
                        List.of("job_id"), List.of(List.of(jobId)), 1));
    }

    /** The latest rebalance job and its moves (read only). */
    static StepOutcome status(Connection c, String target) throws SQLException {
        State latest;
        try (PreparedStatement ps = c.prepareStatement(RebalanceSql.LATEST_JOB); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return StepOutcome.verdict(Status.PASS, "no rebalance job has run on " + target, Evidence.none());
            }
            latest = read(rs);
        }
        List<List<Object>> tasks = tasks(c, latest.jobId());
        String when = latest.startedAt() == null ? "not started yet" : "started " + latest.startedAt().toInstant() + ", " + latest.seconds() + "s";
        String message = "rebalance job " + latest.jobId() + ": " + latest.state() + " (" + when + "), " + count(tasks, "done") + " of "
                + tasks.size() + " moves done" + (latest.ended() ? "" : "; it runs in the background: " + howToFollow(latest.jobId()))
                + "\n" + MoveTable.render(MoveTable.TASK_COLUMNS, tasks);
        return StepOutcome.verdict(Status.PASS, message, new Evidence(null, "job " + latest.jobId() + " " + latest.state(),
                MoveTable.TASK_COLUMNS, tasks, tasks.size()));
    }

    /** Cancels the active job and waits (briefly) until Citus says it is cancelled. */
    static StepOutcome stop(Connection c, StepContext context) throws SQLException {
        Long active = null;
        try (PreparedStatement ps = c.prepareStatement(RebalanceSql.ACTIVE_JOB); ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                active = rs.getLong("job_id");
            }
        }
        if (active == null) {
            return StepOutcome.verdict(Status.PASS, "no rebalance job is scheduled or running on " + context.targetName()
                    + ": nothing to stop", Evidence.none());
        }
        try (Statement st = c.createStatement()) {
            st.execute(RebalanceSql.STOP);
        }
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        State state = state(c, active);
        while (!state.ended() && System.nanoTime() < deadline && !context.isCancelled()) {
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            state = state(c, active);
        }
        if (!state.ended()) {
            return StepOutcome.verdict(Status.FAIL, "asked Citus to stop rebalance job " + active + ", but after " + STOP_WAIT.toSeconds()
                    + "s it is still " + state.state() + "; " + howToFollow(active), Evidence.none());
        }
        // A move cut short leaves its half-copied shard for cleanup; drop it now rather than at the next maintenance pass.
        try (Statement st = c.createStatement()) {
            st.execute(RebalanceSql.CLEANUP);
        }
        List<List<Object>> tasks = tasks(c, active);
        return StepOutcome.verdict(Status.PASS, "rebalance job " + active + " " + state.state() + ": " + count(tasks, "done") + " of "
                + tasks.size() + " moves had finished and stay moved; the others were not made",
                new Evidence(null, "job " + active + " " + state.state(), MoveTable.TASK_COLUMNS, tasks, tasks.size()));
    }

    private static State state(Connection c, long jobId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RebalanceSql.JOB)) {
            ps.setLong(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("rebalance job " + jobId + " disappeared from pg_dist_background_job", "XX000");
                }
                return read(rs);
            }
        }
    }

    private static State read(ResultSet rs) throws SQLException {
        return new State(rs.getLong("job_id"), rs.getString("state"), rs.getTimestamp("started_at"), rs.getLong("seconds"));
    }

    private static Counts counts(Connection c, long jobId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RebalanceSql.TASK_COUNTS)) {
            ps.setLong(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Counts(rs.getLong("done"), rs.getLong("total"));
            }
        }
    }

    private static void logProgress(Connection c, State state) throws SQLException {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        Counts n = counts(c, state.jobId());
        String bytes = "";
        try (PreparedStatement ps = c.prepareStatement(RebalanceSql.BYTES_MOVING); ResultSet rs = ps.executeQuery()) {
            if (rs.next() && rs.getLong("total") > 0) {
                bytes = ", current move " + MoveTable.bytes(rs.getLong("copied")) + " of " + MoveTable.bytes(rs.getLong("total")) + " copied";
            }
        }
        LOG.info("rebalance job {}: {}, {}/{} moves done{} ({}s)", state.jobId(), state.state(), n.done(), n.total(), bytes, state.seconds());
    }

    static List<List<Object>> tasks(Connection c, long jobId) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(RebalanceSql.TASKS)) {
            ps.setLong(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long shard = rs.getLong("shardid");
                    Long shardId = rs.wasNull() ? null : shard;
                    long size = rs.getLong("bytes");
                    Long bytes = rs.wasNull() ? null : size;
                    rows.add(Arrays.asList(rs.getLong("task_id"), rs.getString("status"), rs.getString("table_name"), shardId, bytes,
                            rs.getString("from_node"), rs.getString("to_node"), rs.getString("message")));
                }
            }
        }
        return rows;
    }

    private static long count(List<List<Object>> tasks, String status) {
        return tasks.stream().filter(t -> status.equals(t.get(1))).count();
    }
}
