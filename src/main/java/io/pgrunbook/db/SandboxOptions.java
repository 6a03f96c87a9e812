package io.pgrunbook.db;

import java.time.Duration;

/**
 * How to start a {@link Sandbox}.
 *
 * @param binaries the installation to use, or null to {@link PgBinaries#locate() locate} one
 * @param preloadPgStatStatements preload pg_stat_statements (when installed) so that
 *     {@code CREATE EXTENSION pg_stat_statements} works, as it does on most production servers
 * @param startTimeout how long the server may take to accept connections
 * @param settings extra server settings (name to value), passed as {@code -c name=value} after the
 *     sandbox's own, so they win (e.g. shared_preload_libraries=citus)
 */
public record SandboxOptions(PgBinaries binaries, boolean preloadPgStatStatements, Duration startTimeout, java.util.Map<String, String> settings) {
    public SandboxOptions {
        if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be positive: " + startTimeout);
        }
        settings = settings == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
    }

    public SandboxOptions(PgBinaries binaries, boolean preloadPgStatStatements, Duration startTimeout) {
        this(binaries, preloadPgStatStatements, startTimeout, java.util.Map.of());
    }

    /** The same options with one more server setting. */
    public SandboxOptions withSetting(String name, String value) {
        java.util.Map<String, String> more = new java.util.LinkedHashMap<>(settings);
        more.put(name, value);
        return new SandboxOptions(binaries, preloadPgStatStatements, startTimeout, more);
    }

    public static SandboxOptions defaults() {
        return new SandboxOptions(null, true, Duration.ofSeconds(60));
    }

    public SandboxOptions withBinaries(PgBinaries newBinaries) {
        return new SandboxOptions(newBinaries, preloadPgStatStatements, startTimeout, settings);
    }

    public SandboxOptions withoutPgStatStatements() {
        return new SandboxOptions(binaries, false, startTimeout, settings);
    }

    public SandboxOptions withStartTimeout(Duration newTimeout) {
        return new SandboxOptions(binaries, preloadPgStatStatements, newTimeout, settings);
    }
}
