package io.pgrunbook.steps.loadtest;

import java.time.Duration;
import java.util.Map;

/**
 * What a load test measured, warm-up excluded.
 *
 * @param operations    per operation, in the scenario's order
 * @param shardCounts   measured operations per shard (empty without a shard spec)
 * @param scheduled     open model: starts intended within the measured window
 * @param missedStarts  open model: intended starts that never began (backlog full, or still waiting at the end)
 * @param measured      the measured window actually covered (shorter when the run stopped early)
 * @param abortReason   why the run stopped early, or null
 */
record LoadResult(Map<String, OpTally> operations, long[] shardCounts, long scheduled, long missedStarts, Duration measured,
        double targetRate, String abortReason, boolean connectionLost) {

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
