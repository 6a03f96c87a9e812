package io.pgrunbook.steps.ttl;

import java.time.Duration;

/** Backpressure: whether the worst replica's replay lag (seconds, from pg_stat_replication) is past the bound. */
final class ReplicaLag {
    private ReplicaLag() {}

    static boolean tooFar(double lagSeconds, Duration bound) {
        return !bound.isZero() && lagSeconds * 1000 > bound.toMillis();
    }
}
