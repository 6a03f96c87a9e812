package io.pgrunbook.db;

import io.pgrunbook.error.PgRunbookException;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The one detached sandbox of `pgrunbook sandbox start|status|stop`: started by one process, left
 * running, stopped by a later one. What a later process needs to find it is kept in
 * {@value #STATE_FILE} in the state directory.
 */
public final class SandboxRegistry {
    public static final String STATE_DIR_ENV = "PGRUNBOOK_STATE_DIR";
    static final String STATE_FILE = "sandbox.properties";

    private final Path stateDirectory;

    public SandboxRegistry(Path stateDirectory) {
        this.stateDirectory = stateDirectory;
    }

    /** The registry in this user's state directory. */
    public static SandboxRegistry forCurrentUser() {
        return new SandboxRegistry(stateDirectory(System.getenv(), System.getProperty("user.home")));
    }

    /** {@value #STATE_DIR_ENV}, else $XDG_STATE_HOME/pgrunbook, else ~/.local/state/pgrunbook. */
    public static Path stateDirectory(Map<String, String> env, String userHome) {
        String explicit = env.get(STATE_DIR_ENV);
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = env.get("XDG_STATE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "pgrunbook");
        }
        return Path.of(userHome, ".local", "state", "pgrunbook");
    }

    public Path stateDirectory() {
        return stateDirectory;
    }

    /** Starts a sandbox that keeps running after this JVM exits, and records it. */
    public Sandbox startDetached(SandboxOptions options) {
        Optional<SandboxStatus> existing = status();
        if (existing.isPresent()) {
            SandboxStatus recorded = existing.get();
            if (recorded.running()) {
                throw PgRunbookException.cannotRun("A sandbox is already running at " + recorded.url()
                        + " (started " + recorded.startedAt() + ", directory " + recorded.directory()
                        + "). Use it, or stop it first with `pgrunbook sandbox stop`.");
            }
            stop(); // a record of a server that has gone: clear its leftovers before starting anew
        }
        Sandbox sandbox = Sandbox.startServer(options); // no shutdown hook: it must outlive us
        try {
            write(sandbox);
        } catch (RuntimeException e) {
            sandbox.stopQuietly(); // an unrecorded server could never be stopped by `sandbox stop`
            throw e;
        }
        return sandbox;
    }

    /** The recorded sandbox, if any, with whether its server is running now. */
    public Optional<SandboxStatus> status() {
        return read().map(state -> new SandboxStatus(state.directory(), state.port(),
                state.url(), state.jdbcUrl(), state.pid(), state.startedAt(), state.binDirectory(),
                state.handle().isRunning()));
    }

    /**
     * Stops the recorded sandbox, deletes its directory and forgets it. A record whose directory
     * is already gone is just forgotten.
     *
     * @return false when no sandbox was recorded
     */
    public boolean stop() {
        Optional<Recorded> state = read();
        if (state.isEmpty()) {
            return false;
        }
        if (Files.exists(state.get().directory())) {
            state.get().handle().stop();
        }
        try {
            Files.deleteIfExists(stateFile());
        } catch (IOException e) {
            throw PgRunbookException.cannotRun("The sandbox is stopped but its record " + stateFile()
                    + " could not be deleted: " + e.getMessage() + ". Delete it by hand.", e);
        }
        return true;
    }

    private Path stateFile() {
        return stateDirectory.resolve(STATE_FILE);
    }

    private void write(Sandbox sandbox) {
        Properties props = new Properties();
        props.setProperty("directory", sandbox.directory().toString());
        props.setProperty("port", String.valueOf(sandbox.port()));
        props.setProperty("url", sandbox.url());
        props.setProperty("jdbcUrl", sandbox.jdbcUrl());
        props.setProperty("pid", String.valueOf(sandbox.pid()));
        props.setProperty("startedAt", Instant.now().toString());
        props.setProperty("binDirectory", sandbox.binaries().binDirectory().toString());
        try {
            Files.createDirectories(stateDirectory);
            // Write then rename, so a reader never sees half a record.
            Path temp = Files.createTempFile(stateDirectory, STATE_FILE, ".tmp");
            try (Writer out = Files.newBufferedWriter(temp)) {
                props.store(out, "pgrunbook detached sandbox; remove with `pgrunbook sandbox stop`");
            }
            Files.move(temp, stateFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw PgRunbookException.cannotRun("Could not record the sandbox in " + stateFile() + ": "
                    + e.getMessage() + ". Set " + STATE_DIR_ENV + " to a writable directory.", e);
        }
    }

    private Optional<Recorded> read() {
        if (!Files.isRegularFile(stateFile())) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(stateFile())) {
            props.load(in);
            return Optional.of(new Recorded(Path.of(required(props, "directory")),
                    Integer.parseInt(required(props, "port")), required(props, "url"), required(props, "jdbcUrl"),
                    Long.parseLong(props.getProperty("pid", "-1")), Instant.parse(required(props, "startedAt")),
                    Path.of(required(props, "binDirectory"))));
        } catch (IOException | RuntimeException e) {
            throw PgRunbookException.cannotRun("The sandbox record " + stateFile() + " is unreadable ("
                    + e.getMessage() + "). Stop the server by hand if it runs (pg_ctl stop -D <directory>/data) "
                    + "and delete the record.", e);
        }
    }

    private static String required(Properties props, String key) {
        String value = props.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("missing " + key);
        }
        return value;
    }

    private record Recorded(Path directory, int port, String url, String jdbcUrl, long pid, Instant startedAt,
            Path binDirectory) {
        Sandbox handle() {
            PgBinaries binaries;
            try {
                binaries = PgBinaries.at(binDirectory);
            } catch (PgRunbookException recordedInstallGone) {
                binaries = PgBinaries.locate();
            }
            return new Sandbox(binaries, directory, port);
        }
    }
}
