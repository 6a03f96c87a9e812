package io.pgrunbook.testsupport;

import io.pgrunbook.db.Sandbox;
import io.pgrunbook.db.SandboxOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The one real PostgreSQL server shared by every test in this JVM: started on first use (a
 * sandbox costs about a second), stopped when the test run ends. Use
 * {@code @ExtendWith(TestPostgres.class)} so JUnit stops it at the end of the run; without the
 * extension the sandbox's own shutdown hook stops it when the JVM exits. Each test class should
 * work in its own {@link #createDatabase(String) database} so that classes never see each other's
 * tables.
 */
public final class TestPostgres implements BeforeAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(TestPostgres.class);
    private static final TestPostgres SHARED = new TestPostgres();
    private static final AtomicInteger DATABASE_COUNTER = new AtomicInteger();
    private static Sandbox sandbox;

    /** The shared server, started if need be. */
    public static TestPostgres shared() {
        return SHARED;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // The root store closes its resources once, after the last test class of the run.
        context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(StopAtEndOfRun.class,
                key -> new StopAtEndOfRun(), StopAtEndOfRun.class);
        sandbox();
    }

    public Sandbox sandbox() {
        synchronized (TestPostgres.class) {
            if (sandbox == null) {
                long began = System.nanoTime();
                sandbox = Sandbox.start(SandboxOptions.defaults());
                // One line so that CI logs show the real-server tests really ran, and against what.
                System.err.printf("TestPostgres: PostgreSQL %d sandbox on 127.0.0.1:%d (%s), started in %d ms%n",
                        sandbox.serverMajorVersion(), sandbox.port(), sandbox.directory(),
                        (System.nanoTime() - began) / 1_000_000);
            }
            return sandbox;
        }
    }

    /** libpq form: postgresql://postgres@127.0.0.1:PORT/postgres */
    public String url() {
        return sandbox().url();
    }

    /** jdbc:postgresql://127.0.0.1:PORT/postgres?user=postgres */
    public String jdbcUrl() {
        return sandbox().jdbcUrl();
    }

    /** A new connection to the postgres database as the superuser; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    /**
     * Creates a new, empty database named after the prefix plus a unique suffix (e.g.
     * {@code backup_test_3}) and returns its JDBC URL.
     */
    public String createDatabase(String prefix) throws SQLException {
        String base = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_");
        String name = (base.isEmpty() ? "test" : base) + "_" + ProcessHandle.current().pid() + "_"
                + DATABASE_COUNTER.incrementAndGet();
        name = name.length() > 63 ? name.substring(name.length() - 63) : name; // NAMEDATALEN - 1
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE \"" + name + "\""); // safe: name is only [a-z0-9_]
        }
        return sandbox().jdbcUrl(name);
    }

    /** The database a JDBC URL names ({@link #createDatabase} returns one): the path after the port, before any '?'. */
    public static String databaseName(String jdbcUrl) {
        int query = jdbcUrl.indexOf('?');
        return jdbcUrl.substring(jdbcUrl.lastIndexOf('/') + 1, query < 0 ? jdbcUrl.length() : query);
    }

    /** The postgresql:// URL, as a user passes it to --db, of the database a JDBC URL of this sandbox names. */
    public String urlOf(String jdbcUrl) {
        return sandbox().url(databaseName(jdbcUrl));
    }

    private static final class StopAtEndOfRun implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            synchronized (TestPostgres.class) {
                if (sandbox != null) {
                    sandbox.stop();
                    sandbox = null;
                }
            }
        }
    }
}
