package io.pgrunbook.db;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A real streaming replica of a sandbox: {@code pg_basebackup -R} of the primary into a new directory,
 * started on another free loopback port (as the postgres OS user when we are root, like the sandbox).
 * Stopped, and its directory removed, by {@link #close()}.
 */
public final class StreamingStandby implements AutoCloseable {
    private static final Duration BASEBACKUP_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Sandbox server;

    private StreamingStandby(Sandbox server) {
        this.server = server;
    }

    /** Why no standby can be made here (no pg_basebackup next to the server's binaries), or empty when one can. */
    public static Optional<String> unavailable(PgBinaries binaries) {
        return binaries.findTool("pg_basebackup").isPresent() ? Optional.empty()
                : Optional.of("pg_basebackup is not installed next to " + binaries.binDirectory()
                        + " (it ships with the PostgreSQL client/server packages), so no streaming standby can be made");
    }

    /** Clones the running primary and starts the clone as its hot standby, streaming from it. */
    public static StreamingStandby of(Sandbox primary) throws IOException {
        return of(primary, java.util.Map.of());
    }

    /** As {@link #of(Sandbox)}, with extra server settings for the standby (e.g. archiving, so its promotion archives a new timeline). */
    public static StreamingStandby of(Sandbox primary, java.util.Map<String, String> settings) throws IOException {
        PgBinaries binaries = primary.binaries();
        Path directory = Files.createTempDirectory("pgrunbook-standby-");
        Sandbox standby = null;
        try {
            ServerUser.takeOwnership(directory);
            Path data = directory.resolve("data");
            // -c fast: do not wait for the primary's next checkpoint; -X stream: the backup is consistent on its own.
            ExternalCommand.runOrFail(ServerUser.wrap(List.of(binaries.tool("pg_basebackup").toString(), "-D", data.toString(),
                            "-R", "-X", "stream", "-c", "fast", "--no-sync", "-d", primary.url())),
                    directory, BASEBACKUP_TIMEOUT, "clone the primary on port " + primary.port() + " with pg_basebackup", null);
            int port = freePort();
            standby = new Sandbox(binaries, directory, port);
            String options = String.join(" ", "-p", String.valueOf(port), "-c", "listen_addresses=" + Sandbox.HOST,
                    "-c", ExternalCommand.shellQuote("unix_socket_directories=" + directory), "-c", "hot_standby=on")
                    + settings.entrySet().stream().map(e -> " -c " + ExternalCommand.shellQuote(e.getKey() + "=" + e.getValue()))
                            .collect(java.util.stream.Collectors.joining());
            Path log = directory.resolve("server.log");
            ExternalCommand.runOrFail(ServerUser.wrap(List.of(binaries.pgCtl().toString(), "-D", data.toString(), "-l", log.toString(),
                            "-w", "-t", String.valueOf(START_TIMEOUT.toSeconds()), "-o", options, "start")),
                    directory, START_TIMEOUT.plusSeconds(15), "start the standby on port " + port, log);
            return new StreamingStandby(standby);
        } catch (RuntimeException | IOException e) {
            if (standby != null) {
                standby.stopQuietly();
            } else {
                Sandbox.deleteTree(directory);
            }
            throw e;
        }
    }

    public int port() {
        return server.port();
    }

    public String url() {
        return server.url();
    }

    public String jdbcUrl() {
        return server.jdbcUrl();
    }

    /** The standby's server log, for a failing test's message. */
    public String log() {
        return ExternalCommand.readQuietly(server.directory().resolve("server.log"));
    }

    @Override
    public void close() {
        server.stop();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(Sandbox.HOST))) {
            return socket.getLocalPort();
        }
    }
}
