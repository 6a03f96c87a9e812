package io.pgrunbook.testsupport;

import io.pgrunbook.db.PgBinaries;
import io.pgrunbook.db.Sandbox;
import io.pgrunbook.db.SandboxOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A three-node Citus cluster (coordinator and two workers) of sandbox servers, started once per JVM
 * on first use and stopped when the JVM exits ({@link #shared()}), or a private one a test starts and
 * stops itself ({@link #startPrivate(int)}). Needs the citus extension in the local PostgreSQL
 * ({@code <pkglibdir>/citus.so}); without it {@link #shared()} skips the calling test with a
 * message saying so and how to get Citus.
 */
public final class CitusCluster {
    private static CitusCluster shared;
    private static String unavailable;
    private static boolean checked;

    private final Sandbox coordinator;
    private final List<Sandbox> workers;

    private CitusCluster(Sandbox coordinator, List<Sandbox> workers) {
        this.coordinator = coordinator;
        this.workers = workers;
    }

    /** Why no Citus cluster can be started here (said once, loudly, on stderr), or empty when Citus is installed. */
    public static synchronized java.util.Optional<String> missing() {
        if (!checked) {
            checked = true;
            PgBinaries binaries = PgBinaries.locate();
            if (!binaries.hasLibrary("citus")) {
                unavailable = missingCitus(binaries);
                System.err.println("pgrunbook tests: " + unavailable);
            }
        }
        return java.util.Optional.ofNullable(unavailable);
    }

    /**
     * Skips the calling test when Citus is missing. Call it from {@code @BeforeEach} in a class that
     * sets its cluster up in {@code @BeforeAll} (which then returns early when {@link #missing()}):
     * a class-level skip would not show as skipped tests in the report.
     */
    public static void assumeInstalled() {
        java.util.Optional<String> why = missing();
        Assumptions.assumeTrue(why.isEmpty(), () -> why.get());
    }

    /** The shared cluster; skips the calling test (loudly) when Citus is not installed. */
    public static synchronized CitusCluster shared() {
        assumeInstalled();
        if (shared == null) {
            shared = start(PgBinaries.locate());
        }
        return shared;
    }

    /**
     * A cluster of its own for a test that changes the cluster's shape (adds nodes, moves shards):
     * a coordinator and {@code workers} workers, 8 shards per table, Citus's default deferred drop of
     * moved shards. The caller stops it with {@link #stop()}. Skips (loudly) without Citus.
     */
    public static CitusCluster startPrivate(int workers) {
        assumeInstalled();
        PgBinaries binaries = PgBinaries.locate();
        SandboxOptions options = SandboxOptions.defaults().withBinaries(binaries).withoutPgStatStatements()
                .withSetting("shared_preload_libraries", "citus")
                .withSetting("citus.shard_count", "8")
                // The rebalancer's task queue is polled every few seconds by default; a test need not wait that long.
                .withSetting("citus.background_task_queue_interval", "200ms");
        return start(options, workers);
    }

    /** Stops every node of a private cluster (never the shared one, which the JVM's exit stops). */
    public void stop() {
        if (this == shared) {
            throw new IllegalStateException("the shared Citus cluster is stopped when the JVM exits");
        }
        for (Sandbox node : workers) {
            node.stop();
        }
        coordinator.stop();
    }

    private static String missingCitus(PgBinaries binaries) {
        return "SKIPPED: Citus is not installed in the local PostgreSQL " + binaries.majorVersion()
                + " (no citus.so next to its binaries), so the tests against a real Citus cluster did not run. "
                + "Citus is not in the package registries here: build it from github.com/citusdata/citus "
                + "(a v12.1.x, v13.0.x or v13.2.x tag: ./configure && make && make install, with postgresql-server-dev; "
                + "13.2.x needs its own have_createdb_privilege renamed to build against PostgreSQL 15.20 and later) "
                + "or install the citus packages from packagecloud.io/citusdata, then rerun.";
    }

    private static CitusCluster start(PgBinaries binaries) {
        SandboxOptions options = SandboxOptions.defaults().withBinaries(binaries).withoutPgStatStatements()
                .withSetting("shared_preload_libraries", "citus")
                .withSetting("citus.shard_count", "32")
                // Deferred drops of moved shards are cleaned up at once, not after 15 s, so tests see a settled cluster.
                .withSetting("citus.defer_shard_delete_interval", "-1");
        return start(options, 2);
    }

    private static CitusCluster start(SandboxOptions options, int workerCount) {
        List<Sandbox> started = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            // The three servers start in parallel: their initdb and start dominate the cost.
            List<Thread> threads = new ArrayList<>();
            RuntimeException[] failure = new RuntimeException[1];
            Sandbox[] nodes = new Sandbox[workerCount + 1];
            for (int i = 0; i < nodes.length; i++) {
                int n = i;
                Thread t = new Thread(() -> {
                    try {
                        nodes[n] = Sandbox.start(options);
                        started.add(nodes[n]);
                        exec(nodes[n].jdbcUrl(), "CREATE EXTENSION citus");
                    } catch (RuntimeException | SQLException e) {
                        failure[0] = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                    }
                });
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join();
            }
            if (failure[0] != null) {
                throw failure[0];
            }
            CitusCluster cluster = new CitusCluster(nodes[0], List.of(nodes).subList(1, nodes.length));
            try (Connection c = DriverManager.getConnection(nodes[0].jdbcUrl())) {
                call(c, "SELECT citus_set_coordinator_host('127.0.0.1', ?)", nodes[0].port());
                for (Sandbox w : cluster.workers) {
                    call(c, "SELECT citus_add_node('127.0.0.1', ?)", w.port());
                }
            }
            return cluster;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            started.forEach(Sandbox::stop);
            throw new IllegalStateException(e);
        } catch (SQLException | RuntimeException e) {
            started.forEach(Sandbox::stop);
            throw new IllegalStateException("could not start the Citus test cluster: " + e.getMessage(), e);
        }
    }

    public Sandbox coordinator() {
        return coordinator;
    }

    public List<Sandbox> workers() {
        return workers;
    }

    /** The coordinator's JDBC URL for the postgres database, where the cluster's metadata lives. */
    public String coordinatorJdbcUrl() {
        return coordinator.jdbcUrl();
    }

    public String coordinatorUrl() {
        return coordinator.url();
    }

    /**
     * A database of its own on every node, with the citus extension and the workers registered, for a test
     * whose tables must not meet the other tests' (the shared cluster's postgres database holds theirs).
     * Citus does not propagate CREATE DATABASE by default: it is made on each node. Returns its name.
     */
    public String createDatabase(String name) throws SQLException {
        List<Sandbox> nodes = new ArrayList<>(workers);
        nodes.add(0, coordinator);
        for (Sandbox node : nodes) {
            exec(node.jdbcUrl(), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "CREATE DATABASE " + name);
            exec(node.jdbcUrl(name), "CREATE EXTENSION citus");
        }
        try (Connection c = DriverManager.getConnection(coordinator.jdbcUrl(name))) {
            call(c, "SELECT citus_set_coordinator_host('127.0.0.1', ?)", coordinator.port());
            for (Sandbox w : workers) {
                call(c, "SELECT citus_add_node('127.0.0.1', ?)", w.port());
            }
        }
        return name;
    }

    public static void exec(String jdbcUrl, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static void call(Connection c, String sql, int port) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, port);
            ps.execute();
        }
    }
}
