package io.pgrunbook.testsupport;

import io.pgrunbook.db.Sandbox;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PgBouncer (Debian's /usr/sbin/pgbouncer, installed by scripts/ensure-deps.sh) in front of
 * a sandbox server, on a free loopback port, trusting every user, with postgres as admin user and
 * {@value #STATS_USER} as stats user. PgBouncer refuses to run as root, so a root JVM starts it as
 * the postgres OS user (as the sandbox runs its server).
 */
public final class PgBouncer implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/sbin/pgbouncer");
    public static final String STATS_USER = "pgb_stats";

    private final Path dir;
    private final int port;
    private final Process process;

    private PgBouncer(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Skips the calling test, loudly, when PgBouncer is not installed (scripts/ensure-deps.sh installs it). */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(BINARY), "PgBouncer not installed at " + BINARY
                + ": run scripts/ensure-deps.sh");
    }

    /** Starts PgBouncer in pool_mode {@code poolMode} with default_pool_size {@code poolSize} before the server. */
    public static PgBouncer start(Sandbox server, String poolMode, int poolSize, String... extraSettings) throws IOException, InterruptedException {
        assumeInstalled();
        Path dir = Files.createTempDirectory("pgrunbook-pgbouncer-");
        int port = freePort();
        List<String> settings = new ArrayList<>(List.of(
                "listen_addr = 127.0.0.1", "listen_port = " + port, "unix_socket_dir =",
                "auth_type = trust", "auth_file = " + dir.resolve("users.txt"),
                "admin_users = postgres", "stats_users = " + STATS_USER,
                "pool_mode = " + poolMode, "default_pool_size = " + poolSize, "max_client_conn = 400",
                "logfile = " + dir.resolve("pgbouncer.log"), "pidfile = " + dir.resolve("pgbouncer.pid")));
        settings.addAll(List.of(extraSettings));
        Files.writeString(dir.resolve("pgbouncer.ini"), "[databases]\n* = host=127.0.0.1 port=" + server.port() + "\n\n[pgbouncer]\n"
                + String.join("\n", settings) + "\n");
        Files.writeString(dir.resolve("users.txt"), "\"postgres\" \"\"\n\"" + STATS_USER + "\" \"\"\n\"app\" \"\"\n");
        List<String> command = new ArrayList<>();
        if (isRoot()) {
            run("chown", "-R", "postgres", dir.toString());
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.addAll(List.of(BINARY.toString(), dir.resolve("pgbouncer.ini").toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        PgBouncer bouncer = new PgBouncer(dir, port, process);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!bouncer.accepts()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String log = bouncer.log();
                bouncer.close();
                throw new IllegalStateException("PgBouncer did not start on port " + port + ":\n" + log);
            }
            Thread.sleep(50);
        }
        return bouncer;
    }

    public int port() {
        return port;
    }

    /** postgresql://USER@127.0.0.1:PORT/DATABASE through this PgBouncer. */
    public String url(String user, String database) {
        return "postgresql://" + user + "@127.0.0.1:" + port + "/" + database;
    }

    /** The admin console, as the admin user. */
    public String consoleUrl() {
        return url("postgres", "pgbouncer");
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("pgbouncer.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        // runuser waits for its child; destroying runuser passes SIGTERM on to PgBouncer.
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            tree.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed");
        }
    }
}
