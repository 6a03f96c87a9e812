package io.pgrunbook.db;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A recorded detached sandbox, and whether its server is actually running now.
 *
 * @param pid the postmaster's process id when it was started
 */
public record SandboxStatus(Path directory, int port, String url, String jdbcUrl, long pid, Instant startedAt,
        Path binDirectory, boolean running) {
    /** The same server over its Unix socket, which the sandbox also listens on. */
    public String socketUrl() {
        return Sandbox.socketUrl(directory, port, "postgres");
    }
}
