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

    private TargetPool(String name, ConnectionSpec spec, HikariDataSource pool, ServerInfo info) {
        this.name = name;
        this.spec = spec;
        this.pool = pool;
        this.info = info;
    }

    public static TargetPool open(String name, ConnectionSpec spec, int minIdle, int maxSize) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("pgrunbook-" + name);
        config.setJdbcUrl(spec.jdbcUrl());
        config.setDataSourceProperties(driverProperties(spec));
        config.setMaximumPoolSize(Math.max(1, maxSize));
        config.setMinimumIdle(Math.min(Math.max(0, minIdle), Math.max(1, maxSize)));
        config.setConnectionTimeout(DEFAULT_CONNECT_TIMEOUT.toMillis() + 2_000);
        config.setInitializationFailTimeout(1);
        config.setAutoCommit(true);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException e) {
            throw cannotConnect(name, spec, e.getCause() instanceof SQLException s ? s : new SQLException(e.getMessage(), "08001"));
        }
        try (Connection c = pool.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(SERVER_INFO)) {
            rs.next();
            ServerInfo info = new ServerInfo(rs.getInt(1), rs.getString(2), rs.getBoolean(3), rs.getString(4), rs.getString(5));
            return new TargetPool(name, spec, pool, info);
        } catch (SQLException e) {
            pool.close();
            throw cannotConnect(name, spec, e);
        }
    }

    /** A connection outside the pool, e.g. to hold an advisory lock for the whole run. */
    public Connection dedicatedConnection() throws SQLException {
        return DriverManager.getConnection(spec.jdbcUrl(), driverProperties(spec));
    }

    public Connection borrow() throws SQLException {
        return pool.getConnection();
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
        pool.close();
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

    static PgRunbookException cannotConnect(String name, ConnectionSpec spec, SQLException e) {
        String what = switch (SqlStates.kind(e)) {
            case AUTHENTICATION -> "authentication failed for";
            default -> "cannot connect to";
        };
        String next = switch (SqlStates.kind(e)) {
            case AUTHENTICATION -> "check the user and the password in ~/.pgpass or PGPASSWORD";
            default -> SqlStates.state(e).equals(SqlStates.INVALID_CATALOG_NAME)
                    ? "check the database name"
                    : "check that the server is running and reachable at that host and port";
        };
        return PgRunbookException.cannotRun(what + " target '" + name + "' (" + spec.display() + "): "
                + SqlStates.describe(e) + " [SQLSTATE " + SqlStates.state(e) + "]; " + next, e);
    }
}
