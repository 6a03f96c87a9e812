package io.pgrunbook.db;

import java.time.Duration;

/**
 * How to start a {@link Sandbox}.
 *
 * @param binaries the installation to use, or null to {@link PgBinaries#locate() locate} one
 * @param preloadPgStatStatements preload pg_stat_statements (when installed) so that
 *     {@code CREATE EXTENSION pg_stat_statements} works, as it does on most production servers
 * @param startTimeout how long the server may take to accept connections
 */
public record SandboxOptions(PgBinaries binaries, boolean preloadPgStatStatements, Duration startTimeout) {
    public SandboxOptions {
        if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be positive: " + startTimeout);
        }
    }

    public static SandboxOptions defaults() {
        return new SandboxOptions(null, true, Duration.ofSeconds(60));
    }

    public SandboxOptions withBinaries(PgBinaries newBinaries) {
        return new SandboxOptions(newBinaries, preloadPgStatStatements, startTimeout);
    }

    public SandboxOptions withoutPgStatStatements() {
        return new SandboxOptions(binaries, false, startTimeout);
    }

    public SandboxOptions withStartTimeout(Duration newTimeout) {
        return new SandboxOptions(binaries, preloadPgStatStatements, newTimeout);
    }
}
