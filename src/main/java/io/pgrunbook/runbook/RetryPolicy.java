package io.pgrunbook.runbook;

import java.time.Duration;

/**
 * How often a step is tried again. Errors are retried only when transient (connection lost,
 * serialization failure, deadlock, lock or statement timeout); {@code onFail} also retries a failed
 * expectation, which turns a check into a bounded wait (e.g. for replica lag to drop).
 */
public record RetryPolicy(int count, Duration backoff, Duration maxBackoff, boolean onFail) {
    public static final RetryPolicy NONE = new RetryPolicy(0, Duration.ofSeconds(1), Duration.ofSeconds(30), false);

    /** Exponential backoff: backoff, 2*backoff, 4*backoff ... capped at maxBackoff. */
    public Duration delayBefore(int attempt) {
        long factor = 1L << Math.min(20, Math.max(0, attempt - 2));
        Duration d = backoff.multipliedBy(factor);
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }
}
