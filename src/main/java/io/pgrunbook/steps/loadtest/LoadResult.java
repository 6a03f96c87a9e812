package io.pgrunbook.steps.loadtest;

import java.time.Duration;
import java.util.Map;

/**
 * What a load test measured, warm-up excluded.
 *
 * @param operations    per operation, in the scenario's order
 * @param shardCounts   measured operations per shard name (empty without a shard spec)
 * @param shardTotal    how many shards exist (jump-hash buckets or the Citus table's shards), 0 without a shard spec
 * @param scheduled     open model: starts intended within the measured window
 * @param missedStarts  open model: intended starts that never began (backlog full, or still waiting at the end)
 * @param measured      the measured window actually covered (shorter when the run stopped early)
 * @param abortReason   why the run stopped early, or null
 * @param timeline      latency over time, all operations together, warm-up included (negative starts)
 */
record LoadResult(Map<String, OpTally> operations, Map<String, Long> shardCounts, int shardTotal, long scheduled, long missedStarts,
        Duration measured, double targetRate, String abortReason, boolean connectionLost, java.util.List<Timeline.Point> timeline) {

    long completed() {
        return operations.values().stream().mapToLong(OpTally::completed).sum();
    }

    long errors() {
        return operations.values().stream().mapToLong(OpTally::errors).sum();
    }

    long errorsWithState(String state) {
        return operations.values().stream().mapToLong(t -> t.errorsByState.getOrDefault(state, 0L)).sum();
    }

    double seconds() {
        return Math.max(1e-9, measured.toNanos() / 1e9);
    }

    double throughput() {
        return completed() / seconds();
    }
}
