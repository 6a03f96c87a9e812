package io.pgrunbook.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.pgrunbook.error.PgRunbookException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/**
 * The connections of one target: a small HikariCP pool, opened eagerly so a target that cannot be
 * reached, or refuses the password, stops the run before any step (exit 3) with the server's message.
 *
 * <p>The first connection also tells whether a pooler stands in between ({@link Pooler}). Behind
 * transaction pooling every connection is opened with prepareThreshold=0, so pgjdbc never leaves a
 * named server-side prepared statement on a server connection another client is handed next
 * (unless the pooler tracks them, PgBouncer 1.21+ with max_prepared_statements). A target whose
 * database is PgBouncer's admin console ({@value PgBouncerConsole#DATABASE}) has no pool: only
 * {@link #consoleConnection()} reaches it.
 */
public final class TargetPool implements AutoCloseable {
    public static final String APPLICATION_NAME = "pgrunbook";
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final String SERVER_INFO = """
            SELECT current_setting('server_version_num')::int, 'PostgreSQL ' || current_setting('server_version'),
                   pg_is_in_recovery(), current_user, current_database()""";

    private final String name;
    private final ConnectionSpec spec;
    private final HikariDataSource pool;
    private final ServerInfo info;
    private final Pooler pooler;

    private TargetPool(String name, ConnectionSpec spec, HikariDataSource pool, ServerInfo info, Pooler pooler) {
        this.name = name;
        this.spec = spec;
        this.pool = pool;
        this.info = info;
        this.pooler = pooler;
    }

    public static TargetPool open(String name, ConnectionSpec spec, int minIdle, int maxSize) {
        if (PgBouncerConsole.isConsole(spec)) {
            return openConsole(name, spec);
        }
        HikariDataSource pool = pool(name, spec, minIdle, maxSize);
        ServerInfo info;
        Pooler pooler;
        try (Connection c = pool.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(SERVER_INFO)) {
            rs.next();
            info = new ServerInfo(rs.getInt(1), rs.getString(2), rs.getBoolean(3), rs.getString(4), rs.getString(5));
            pooler = Pooler.detect(c, spec);
        } catch (SQLException e) {
            pool.close();
            throw cannotConnect(name, spec, e);
        }
        if (!pooler.sessionsShared()) {
            return new TargetPool(name, spec, pool, info, pooler);
        }
        // The first connections were made before we knew: none of them prepared anything or changed
        // a session, but from now on every connection uses unnamed statements only (unless the pooler
        // keeps prepared statements apart), and read-only is never a session characteristic.
        pool.close();
        ConnectionSpec unprepared = spec.withPgjdbcSetting("readOnlyMode", "transaction");
        if (!pooler.serverPreparedStatements()) {
            unprepared = unprepared.withPgjdbcSetting("prepareThreshold", "0");
        }
        return new TargetPool(name, unprepared, pool(name, unprepared, minIdle, maxSize), info, pooler);
    }

    private static TargetPool openConsole(String name, ConnectionSpec spec) {
        try {
            String version = PgBouncerConsole.version(spec, connectTimeout(spec));
            ServerInfo info = new ServerInfo(0, version, false, spec.user(), spec.database());
            return new TargetPool(name, spec, null, info, new Pooler(true, version, Pooler.Mode.UNKNOWN, false, "admin console"));
        } catch (SQLException e) {
            throw cannotConnect(name, spec, e);
        }
    }

    private static HikariDataSource pool(String name, ConnectionSpec spec, int minIdle, int maxSize) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("pgrunbook-" + name);
        config.setJdbcUrl(spec.jdbcUrl());
        config.setDataSourceProperties(driverProperties(spec));
        config.setMaximumPoolSize(Math.max(1, maxSize));
        config.setMinimumIdle(Math.min(Math.max(0, minIdle), Math.max(1, maxSize)));
        config.setConnectionTimeout(DEFAULT_CONNECT_TIMEOUT.toMillis() + 2_000);
        config.setInitializationFailTimeout(1);
        config.setAutoCommit(true);
        try {
            HikariDataSource started = new HikariDataSource(config);
            if (minIdle == 1) {
                // The connection made at start (which proves the target answers) is what a run of steps
                // one after another needs. Kept at a minimum of one idle, the pool's housekeeper (its
                // first pass 100 ms after start) would open a second while a step holds the first: a
                // server backend and a login's CPU in every run. More are still opened when steps run
                // at once; a pool_min above 1 keeps its warm connections.
                started.getHikariConfigMXBean().setMinimumIdle(0);
            }
            return started;
        } catch (HikariPool.PoolInitializationException e) {
            throw cannotConnect(name, spec, e.getCause() instanceof SQLException s ? s : new SQLException(e.getMessage(), "08001"));
        }
    }

    /** A connection outside the pool, e.g. to hold an advisory lock for the whole run. */
    public Connection dedicatedConnection() throws SQLException {
        if (pool == null) {
            throw new SQLException("target '" + name + "' is PgBouncer's admin console: it holds no locks", "0A000");
        }
        return DriverManager.getConnection(spec.jdbcUrl(), driverProperties(spec));
    }

    public Connection borrow() throws SQLException {
        if (pool == null) {
            throw new SQLException("target '" + name + "' is PgBouncer's admin console (" + spec.display()
                    + "), which answers only SHOW commands: use the pgbouncer.* step types on it, and another target"
                    + " for SQL", "0A000");
        }
        return pool.getConnection();
    }

    /** {@code SHOW what} on PgBouncer's admin console at this target's host and port (see {@link PgBouncerConsole}). */
    public java.util.List<java.util.Map<String, String>> consoleShow(String what) throws SQLException {
        ConnectionSpec console = PgBouncerConsole.isConsole(spec) ? spec : spec.withDatabase(PgBouncerConsole.DATABASE);
        return PgBouncerConsole.show(console, what, connectTimeout(spec));
    }

    private static Duration connectTimeout(ConnectionSpec spec) {
        String given = spec.properties().getProperty("connectTimeout");
        return given == null || given.equals("0") ? DEFAULT_CONNECT_TIMEOUT : Duration.ofSeconds(Long.parseLong(given));
    }

    /** What stands between us and the server: nothing, or a pooler and its mode. */
    public Pooler pooler() {
        return pooler;
    }

    /** Whether this target is PgBouncer's admin console rather than a database. */
    public boolean isConsole() {
        return pool == null;
    }

    public String name() {
        return name;
    }

    public ConnectionSpec spec() {
        return spec;
    }

    public ServerInfo serverInfo() {
        return info;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.close();
        }
    }

    private static Properties driverProperties(ConnectionSpec spec) {
        Properties p = spec.properties();
        p.putIfAbsent("ApplicationName", APPLICATION_NAME);
        p.putIfAbsent("connectTimeout", String.valueOf(DEFAULT_CONNECT_TIMEOUT.toSeconds()));
        // libpq's connect_timeout bounds the whole connection, authentication included; pgjdbc's
        // connectTimeout only the TCP connect. A server that accepts and never answers (hung, or a
        // half-dead proxy) must cost connect_timeout, not the default login timeout.
        p.putIfAbsent("loginTimeout", p.getProperty("connectTimeout"));
        // A dead server must not hang a step forever: the socket gives up well after any statement_timeout.
        p.putIfAbsent("tcpKeepAlive", "true");
        return p;
    }

    /** As libpq asks: is a server running locally and accepting connections on that socket? */
    private static String socketHint(String directory, int port) {
        java.nio.file.Path socket = UnixSockets.socketFile(directory, port);
        return (java.nio.file.Files.exists(socket) ? "is the server accepting connections on the socket " + socket
                : "no server socket " + socket + ": is the server running locally, with this port and unix_socket_directories?")
                + " (for TCP give host=NAME)";
    }

    static PgRunbookException cannotConnect(String name, ConnectionSpec spec, SQLException e) {
        String what = switch (SqlStates.kind(e)) {
            case AUTHENTICATION -> "authentication failed for";
            default -> "cannot connect to";
        };
        String next = switch (SqlStates.kind(e)) {
            case AUTHENTICATION -> String.valueOf(e.getMessage()).contains("Peer authentication")
                    ? "peer authentication over a Unix socket admits only the OS user of the same name: run as that user"
                    + " (sudo -u " + spec.user() + " pgrunbook ...), or map this OS user in pg_ident.conf"
                    : "check the user and the password in ~/.pgpass or PGPASSWORD";
            default -> SqlStates.state(e).equals(SqlStates.INVALID_CATALOG_NAME)
                    ? "check the database name"
                    : spec.socketDirectory().map(dir -> socketHint(dir, spec.ports().get(0)))
                        .orElse("check that the server is running and reachable at that host and port");
        };
        return PgRunbookException.cannotRun(what + " target '" + name + "' (" + spec.display() + "): "
                + SqlStates.describe(e) + " [SQLSTATE " + SqlStates.state(e) + "]; " + next, e);
    }
}
