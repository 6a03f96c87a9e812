package io.pgrunbook.db;

import io.pgrunbook.error.PgRunbookException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster in a temporary directory, listening only on 127.0.0.1 at a free
 * port. Built for speed, not durability (fsync off): everything in it is gone after {@link #stop()}.
 */
public final class Sandbox implements AutoCloseable {
    static final String HOST = "127.0.0.1";
    static final String SUPERUSER = "postgres";

    private static final int PORT_ATTEMPTS = 3;
    private static final Duration INITDB_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration SQL_FILE_TIMEOUT = Duration.ofMinutes(10);

    private final PgBinaries binaries;
    private final Path directory;
    private final int port;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile Thread shutdownHook;

    /** A handle on a sandbox server that is (or was) running in this directory on this port. */
    Sandbox(PgBinaries binaries, Path directory, int port) {
        this.binaries = binaries;
        this.directory = directory;
        this.port = port;
    }

    /** Starts a sandbox that is stopped by {@link #close()} or, failing that, when the JVM exits. */
    public static Sandbox start(SandboxOptions options) {
        Sandbox sandbox = startServer(options);
        sandbox.registerShutdownHook();
        return sandbox;
    }

    /** Starts a sandbox that outlives this JVM (for `pgrunbook sandbox start`). */
    static Sandbox startServer(SandboxOptions options) {
        PgBinaries binaries = options.binaries() != null ? options.binaries() : PgBinaries.locate();
        Path directory = createDirectory();
        try {
            ServerUser.takeOwnership(directory);
            initdb(binaries, directory);
            if (options.tls()) {
                SandboxTls.certify(directory.resolve("data"));
            }
            return startIn(binaries, directory, options);
        } catch (RuntimeException e) {
            new Sandbox(binaries, directory, 0).stopQuietly();
            throw e;
        }
    }

    /** Starts the server of an existing data directory on a free port, retrying when another process takes the port. */
    private static Sandbox startIn(PgBinaries binaries, Path directory, SandboxOptions options) {
        for (int attempt = 1; ; attempt++) {
            Sandbox sandbox = new Sandbox(binaries, directory, freePort());
            try {
                sandbox.pgCtlStart(options);
                return sandbox;
            } catch (PgRunbookException e) {
                // Another process can take the port between our probe and the server's bind.
                if (attempt >= PORT_ATTEMPTS || !sandbox.serverLog().contains("Address already in use")) {
                    throw e;
                }
            }
        }
    }

    /** Fills a new sandbox directory's {@code data/} (a restored backup) and returns extra server settings for it. */
    @FunctionalInterface
    public interface DataDirectorySource {
        java.util.Map<String, String> fill(Path sandboxDirectory) throws IOException;
    }

    /**
     * Starts a sandbox on a data directory that {@code source} fills (a base backup to recover) instead of
     * initdb, in a directory named {@code prefix*} that records the owning process, so that
     * {@link SandboxLeftovers#removeStale} can remove it after a crash. Stopped by {@link #close()} or at JVM exit.
     */
    public static Sandbox startFrom(SandboxOptions options, String prefix, DataDirectorySource source) {
        PgBinaries binaries = options.binaries() != null ? options.binaries() : PgBinaries.locate();
        Path directory = SandboxLeftovers.createOwned(prefix);
        try {
            ServerUser.takeOwnership(directory);
            SandboxOptions withSettings = options;
            for (var e : source.fill(directory).entrySet()) {
                withSettings = withSettings.withSetting(e.getKey(), e.getValue());
            }
            ServerUser.takeOwnership(directory);
            Files.setPosixFilePermissions(directory.resolve("data"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            Sandbox sandbox = startIn(binaries, directory, withSettings);
            sandbox.registerShutdownHook();
            return sandbox;
        } catch (IOException e) {
            new Sandbox(binaries, directory, 0).stopQuietly();
            throw PgRunbookException.cannotRun("Could not prepare the data directory in " + directory + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            new Sandbox(binaries, directory, 0).stopQuietly();
            throw e;
        }
    }

    /** The server's log file (while the sandbox exists). */
    public Path serverLogPath() {
        return serverLogFile();
    }

    public int port() {
        return port;
    }

    public Path directory() {
        return directory;
    }

    public Path dataDirectory() {
        return directory.resolve("data");
    }

    public PgBinaries binaries() {
        return binaries;
    }

    // No password in these URLs: initdb ran with --auth=trust and the server listens on loopback
    // only, so the superuser connects without one. Any local OS user can reach the port while the
    // sandbox runs; acceptable for a throwaway cluster with no real data, never for a real one.
    public String url() {
        return url("postgres");
    }

    public String url(String database) {
        return "postgresql://" + SUPERUSER + "@" + HOST + ":" + port + "/" + database;
    }

    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    /** The directory of the server's Unix socket (.s.PGSQL.PORT): the sandbox directory, reachable by its owner. */
    public Path socketDirectory() {
        return directory;
    }

    /** libpq form over the Unix socket: postgresql://postgres@%2Ftmp%2Fpgrunbook-sandbox-...:PORT/DATABASE */
    public String socketUrl(String database) {
        return socketUrl(directory, port, database);
    }

    static String socketUrl(Path socketDirectory, int port, String database) {
        return "postgresql://" + SUPERUSER + "@" + java.net.URLEncoder.encode(socketDirectory.toString(),
                java.nio.charset.StandardCharsets.UTF_8) + ":" + port + "/" + database;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + database + "?user=" + SUPERUSER;
    }

    /** The major version the cluster was created with, read from its PG_VERSION file. */
    public int serverMajorVersion() {
        try {
            String version = Files.readString(dataDirectory().resolve("PG_VERSION")).strip();
            return Integer.parseInt(version.split("\\.")[0]);
        } catch (IOException | NumberFormatException e) {
            throw PgRunbookException.cannotRun("Could not read the sandbox server version from "
                    + dataDirectory().resolve("PG_VERSION") + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads an SQL file (a sample schema, fixtures) with psql, stopping at the first error, so the
     * file may use anything psql accepts.
     */
    public void loadSqlFile(Path file) {
        if (!Files.isReadable(file)) {
            throw PgRunbookException.invalid("cannot read SQL file " + file);
        }
        ExternalCommand.Result result = ExternalCommand.run(List.of(binaries.tool("psql").toString(), "-X", "-q",
                "-v", "ON_ERROR_STOP=1", "-d", url(), "-f", file.toAbsolutePath().toString()), directory, SQL_FILE_TIMEOUT);
        if (!result.succeeded()) {
            throw PgRunbookException.cannotRun("loading " + file + " into the sandbox failed. " + result.describe());
        }
    }

    /** Whether `pg_ctl status` finds a server running in this sandbox's data directory. */
    public boolean isRunning() {
        if (!Files.isDirectory(dataDirectory())) {
            return false;
        }
        return ExternalCommand.run(ServerUser.wrap(List.of(binaries.pgCtl().toString(), "status", "-D",
                dataDirectory().toString())), directory, STATUS_TIMEOUT).succeeded();
    }

    /** The postmaster's process id from postmaster.pid, or -1 when it is not running. */
    public long pid() {
        try (Stream<String> lines = Files.lines(dataDirectory().resolve("postmaster.pid"))) {
            return lines.findFirst().map(String::strip).map(Long::parseLong).orElse(-1L);
        } catch (IOException | UncheckedIOException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Stops the server at once (it holds nothing worth a clean shutdown) and deletes the directory.
     * Safe to call again, and on a server that has already gone.
     */
    public void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        removeShutdownHook();
        if (Files.isRegularFile(dataDirectory().resolve("postmaster.pid"))) {
            ExternalCommand.Result result = ExternalCommand.run(ServerUser.wrap(List.of(
                    binaries.pgCtl().toString(), "stop", "-D", dataDirectory().toString(),
                    "-m", "immediate", "-w", "-t", "30")), directory, STOP_TIMEOUT);
            if (!result.succeeded() && isRunning()) {
                // Deleting the files under a live server would leave it running with no way to stop it.
                stopped.set(false);
                throw PgRunbookException.cannotRun("Could not stop the sandbox server on port " + port
                        + "; its directory " + directory + " is left in place. " + result.describe());
            }
        }
        deleteTree(directory);
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "sandbox " + url() + " in " + directory;
    }

    void stopQuietly() {
        try {
            stop();
        } catch (RuntimeException e) {
            System.err.println("pgrunbook: " + e.getMessage());
        }
    }

    private void registerShutdownHook() {
        Thread hook = new Thread(this::stopQuietly, "pgrunbook-sandbox-stop-" + port);
        shutdownHook = hook;
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private void removeShutdownHook() {
        Thread hook = shutdownHook;
        if (hook != null && hook != Thread.currentThread()) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException jvmAlreadyShuttingDown) {
                // the hook is running or about to; our stopped flag makes it a no-op
            }
        }
        shutdownHook = null;
    }

    private static Path createDirectory() {
        try {
            return Files.createTempDirectory("pgrunbook-sandbox-");
        } catch (IOException e) {
            throw PgRunbookException.cannotRun("Could not create a sandbox directory under "
                    + System.getProperty("java.io.tmpdir") + ": " + e.getMessage(), e);
        }
    }

    private static void initdb(PgBinaries binaries, Path directory) {
        ExternalCommand.runOrFail(ServerUser.wrap(List.of(binaries.initdb().toString(),
                        "-D", directory.resolve("data").toString(), "-U", SUPERUSER, "-E", "UTF8",
                        "--locale=C", "--auth=trust", "--no-sync")),
                directory, INITDB_TIMEOUT, "create the sandbox cluster", null);
    }

    private void pgCtlStart(SandboxOptions options) {
        List<String> settings = new ArrayList<>(List.of("-p", String.valueOf(port),
                "-c", "listen_addresses=" + HOST,
                "-c", "unix_socket_directories=" + directory,
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"));
        if (options.preloadPgStatStatements() && binaries.hasLibrary("pg_stat_statements")) {
            settings.addAll(List.of("-c", "shared_preload_libraries=pg_stat_statements"));
        }
        if (options.tls()) {
            settings.addAll(List.of("-c", SandboxTls.SETTING + "=on"));
        }
        options.settings().forEach((name, value) -> settings.addAll(List.of("-c", name + "=" + value)));
        // pg_ctl hands -o to a shell, so each word is quoted (the directory may contain spaces).
        String serverOptions = settings.stream().map(ExternalCommand::shellQuote).collect(Collectors.joining(" "));
        long seconds = options.startTimeout().toSeconds();
        ExternalCommand.runOrFail(ServerUser.wrap(List.of(binaries.pgCtl().toString(),
                        "-D", dataDirectory().toString(), "-l", serverLogFile().toString(),
                        "-w", "-t", String.valueOf(seconds), "-o", serverOptions, "start")),
                directory, Duration.ofSeconds(seconds + 15), "start the sandbox server on port " + port,
                serverLogFile());
    }

    private Path serverLogFile() {
        return directory.resolve("server.log");
    }

    private String serverLog() {
        return ExternalCommand.readQuietly(serverLogFile());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw PgRunbookException.cannotRun("Could not find a free port on " + HOST + ": " + e.getMessage(), e);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path path : (Iterable<Path>) tree.sorted(Comparator.reverseOrder())::iterator) {
                try {
                    Files.deleteIfExists(path);
                } catch (NoSuchFileException alreadyGone) {
                    // a server that was just killed may still be removing its own files
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw PgRunbookException.cannotRun("The sandbox server is stopped but its directory " + root
                    + " could not be deleted: " + e.getMessage() + ". Delete it by hand.", e);
        }
    }
}
