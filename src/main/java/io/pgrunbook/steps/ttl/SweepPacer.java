package io.pgrunbook.steps.ttl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a sweep stops and how fast it may go: interruption and max_run_time, the rate limit and the
 * pause between batches, waiting out replica lag, and the progress log. The deleting is TtlSweeper's.
 */
final class SweepPacer {
    private static final Logger LOG = LoggerFactory.getLogger(SweepPacer.class);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);
    private static final String INTERRUPTED = "interrupted";

    private final TtlConfig config;
    private final BooleanSupplier cancelled;
    private long started;
    private long lastProgress;
    private long lagPauses;
    private String stoppedBy;

    SweepPacer(TtlConfig config, BooleanSupplier cancelled) {
        this.config = config;
        this.cancelled = cancelled;
    }

    void start() {
        started = System.nanoTime();
        lastProgress = started;
    }

    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** Why the sweep stopped before its backlog was gone, or null. */
    String stoppedBy() {
        return stoppedBy;
    }

    long lagPauses() {
        return lagPauses;
    }

    void interrupted() {
        stoppedBy = INTERRUPTED;
    }

    boolean wasInterrupted() {
        return INTERRUPTED.equals(stoppedBy);
    }

    boolean shouldStop() {
        if (stoppedBy != null) {
            return true;
        }
        if (cancelled.getAsBoolean()) {
            stoppedBy = INTERRUPTED;
        } else if (!config.maxRunTime().isZero() && System.nanoTime() - started >= config.maxRunTime().toNanos()) {
            stoppedBy = "max_run_time " + io.pgrunbook.runbook.load.Durations.show(config.maxRunTime()) + " reached";
        }
        return stoppedBy != null;
    }

    /** Holds the rate to rate_limit rows/s over the whole run, and pauses between batches. */
    void throttle(long deleted, long deletingStarted) {
        long sleepNanos = config.pause().toNanos();
        if (config.rateLimit() > 0) {
            long due = deletingStarted + (long) (deleted / config.rateLimit() * 1e9);
            sleepNanos = Math.max(sleepNanos, due - System.nanoTime());
        }
        sleep(sleepNanos);
    }

    /** Waits while some replica replays more than max_replica_lag behind, up to the time limit. */
    void waitForReplicas(Connection c) throws SQLException {
        if (config.maxReplicaLag().isZero()) {
            return;
        }
        while (!shouldStop()) {
            double lag;
            try (PreparedStatement ps = c.prepareStatement(TtlSweeper.REPLICA_LAG); ResultSet rs = ps.executeQuery()) {
                rs.next();
                lag = rs.getDouble(1);
            }
            if (!ReplicaLag.tooFar(lag, config.maxReplicaLag())) {
                return;
            }
            lagPauses++;
            LOG.info("ttl.sweep: replica replay lag {}s exceeds {}; pausing {}", lag, config.maxReplicaLag(), config.replicaLagPause());
            sleep(config.replicaLagPause().toNanos());
        }
    }

    void progress(long deleted, long batches, long skipped) {
        long now = System.nanoTime();
        if (now - lastProgress >= PROGRESS_EVERY.toNanos()) {
            lastProgress = now;
            double s = (now - started) / 1e9;
            LOG.info("ttl.sweep {}: {} rows deleted in {} batches, {} rows/s, {} skipped (locked)", config.table(), deleted, batches,
                    Math.round(deleted / s), skipped);
        }
    }

    private void sleep(long nanos) {
        long until = System.nanoTime() + nanos;
        long deadline = config.maxRunTime().isZero() ? Long.MAX_VALUE : started + config.maxRunTime().toNanos();
        until = Math.min(until, deadline);
        while (System.nanoTime() < until && !cancelled.getAsBoolean()) {
            try {
                Thread.sleep(Math.max(1, Math.min(100, (until - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
