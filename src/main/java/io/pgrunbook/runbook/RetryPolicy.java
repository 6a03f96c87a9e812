package io.pgrunbook.runbook;

import java.time.Duration;

/**
 * How often a step is tried again, and on what. {@code onError}: errors, but only transient ones
 * (connection lost, serialization failure, deadlock, lock or statement timeout); a missing table
 * will not appear by waiting. {@code onFail}: a failed expectation, which turns a check into a
 * bounded wait (e.g. for replica lag to drop). A runbook's {@code on:} lists them; the default is error.
 */
public record RetryPolicy(int count, Duration backoff, Duration maxBackoff, boolean onError, boolean onFail) {
    public static final RetryPolicy NONE = new RetryPolicy(0, Duration.ofSeconds(1), Duration.ofSeconds(30), true, false);

    /** Retries transient errors, and failed expectations too when {@code onFail}. */
    public RetryPolicy(int count, Duration backoff, Duration maxBackoff, boolean onFail) {
        this(count, backoff, maxBackoff, true, onFail);
    }

    /** Exponential backoff: backoff, 2*backoff, 4*backoff ... capped at maxBackoff. */
    public Duration delayBefore(int attempt) {
        long factor = 1L << Math.min(20, Math.max(0, attempt - 2));
        Duration d = backoff.multipliedBy(factor);
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }
}
