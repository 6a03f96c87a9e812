package io.pgrunbook.steps.shardset;

import java.time.Duration;

/**
 * The shard status codes of the sharding runbook (seed 004): HEALTHY below 500 ms and 5 % errors,
 * DEGRADED from 500 ms to 2 s or 5 to 10 % errors, UNHEALTHY above 2 s, above 10 % errors, or
 * unreachable. A boundary value belongs to the milder state ("500ms-2s" includes 2 s).
 */
record HealthThresholds(Duration degradedLatency, Duration unhealthyLatency, double degradedErrorPercent, double unhealthyErrorPercent) {
    static final HealthThresholds SEED = new HealthThresholds(Duration.ofMillis(500), Duration.ofSeconds(2), 5, 10);

    enum State { HEALTHY, DEGRADED, UNHEALTHY }

    /**
     * @param latency      the probes' 95th percentile
     * @param errorPercent failed probes, in percent
     * @param answered     false when no probe got an answer
     */
    State classify(Duration latency, double errorPercent, boolean answered) {
        if (!answered || latency.compareTo(unhealthyLatency) > 0 || errorPercent > unhealthyErrorPercent) {
            return State.UNHEALTHY;
        }
        if (latency.compareTo(degradedLatency) >= 0 || errorPercent >= degradedErrorPercent) {
            return State.DEGRADED;
        }
        return State.HEALTHY;
    }
}
