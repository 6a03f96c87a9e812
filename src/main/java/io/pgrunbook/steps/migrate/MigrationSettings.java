package io.pgrunbook.steps.migrate;

import java.time.Duration;

/** How migrations run: timeouts, safe mode, lock waiting, whether versions below the highest applied may run. */
public record MigrationSettings(Duration lockTimeout, Duration statementTimeout, boolean safe, int retries, Duration lockWait, boolean outOfOrder) {
    public MigrationSettings(Duration lockTimeout, Duration statementTimeout, boolean safe, int retries, Duration lockWait) {
        this(lockTimeout, statementTimeout, safe, retries, lockWait, false);
    }

    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration SAFE_LOCK_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofMinutes(30);
    public static final Duration DEFAULT_LOCK_WAIT = Duration.ofSeconds(10);
    public static final int SAFE_RETRIES = 3;

    /** The backoff before retry n (1-based): 1 s, 2 s, 4 s... */
    public Duration backoff(int n) {
        return Duration.ofMillis(1000L << Math.min(n - 1, 6));
    }

    static String setting(Duration d) {
        return d.toMillis() + "ms";
    }
}
