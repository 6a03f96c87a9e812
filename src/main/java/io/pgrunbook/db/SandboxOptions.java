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
 * @param tls serve TLS with a self-signed certificate, as a Debian-installed server does by default
 *     ({@link SandboxTls}): clients with the default sslmode=prefer then connect over TLS
 */
public record SandboxOptions(PgBinaries binaries, boolean preloadPgStatStatements, Duration startTimeout, java.util.Map<String, String> settings,
        boolean tls) {
    public SandboxOptions {
        if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be positive: " + startTimeout);
        }
        settings = settings == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
    }

    public SandboxOptions(PgBinaries binaries, boolean preloadPgStatStatements, Duration startTimeout) {
        this(binaries, preloadPgStatStatements, startTimeout, java.util.Map.of(), false);
    }

    /** The same options with one more server setting. */
    public SandboxOptions withSetting(String name, String value) {
        java.util.Map<String, String> more = new java.util.LinkedHashMap<>(settings);
        more.put(name, value);
        return new SandboxOptions(binaries, preloadPgStatStatements, startTimeout, more, tls);
    }

    public static SandboxOptions defaults() {
        return new SandboxOptions(null, true, Duration.ofSeconds(60));
    }

    public SandboxOptions withBinaries(PgBinaries newBinaries) {
        return new SandboxOptions(newBinaries, preloadPgStatStatements, startTimeout, settings, tls);
    }

    public SandboxOptions withoutPgStatStatements() {
        return new SandboxOptions(binaries, false, startTimeout, settings, tls);
    }

    public SandboxOptions withStartTimeout(Duration newTimeout) {
        return new SandboxOptions(binaries, preloadPgStatStatements, newTimeout, settings, tls);
    }

    /** The same options, serving TLS (or not). */
    public SandboxOptions withTls(boolean serveTls) {
        return new SandboxOptions(binaries, preloadPgStatStatements, startTimeout, settings, serveTls);
    }
}
