package io.pgrunbook.engine;

import io.pgrunbook.db.JdbcValues;
import io.pgrunbook.db.ServerInfo;
import io.pgrunbook.db.SqlStates;
import io.pgrunbook.db.TargetPool;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.load.Durations;
import io.pgrunbook.runbook.sql.NamedSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a step type gets to do its work on one target: connections with the step's statement and
 * lock timeouts already set, registered for cancellation, and variables bound by name.
 */
public final class StepContext {
    private static final String SET_TIMEOUTS = "SELECT set_config('statement_timeout', ?, ?), set_config('lock_timeout', ?, ?)";
    private static final String RESET_TIMEOUTS = "RESET statement_timeout; RESET lock_timeout";
    private static final String REPEATABLE_READ = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ";
    /** Beyond statement_timeout, how long the client waits before it cancels on its own (a hung network). */
    private static final Duration CLIENT_GRACE = Duration.ofSeconds(10);
    /** One row first; then each batch holds as many rows as fit FETCH_BYTES at the widest row seen so far. */
    static final int FIRST_FETCH_ROWS = 1;
    static final long FETCH_BYTES = 32L << 20;
    static final int MAX_FETCH_ROWS = 1000;

    private final Step step;
    private final TargetPool target;
    private final Map<String, TargetPool> allTargets;
    private final Map<String, Object> vars;
    private final Cancellation cancellation;
    private final TargetHealth health;
    private final String targetName;

    StepContext(Step step, TargetPool target, Map<String, TargetPool> allTargets, Map<String, Object> vars, Cancellation cancellation,
            TargetHealth health) {
        this.step = step;
        this.target = target;
        this.targetName = target.name();
        this.allTargets = allTargets;
        this.vars = vars;
        this.cancellation = cancellation;
        this.health = health;
    }

    /** A context with no connection, for a step that needs none ({@link StepType#needsDatabase}). */
    StepContext(Step step, String targetName, Map<String, TargetPool> allTargets, Map<String, Object> vars, Cancellation cancellation,
            TargetHealth health) {
        this.step = step;
        this.target = null;
        this.targetName = targetName;
        this.allTargets = allTargets;
        this.vars = vars;
        this.cancellation = cancellation;
        this.health = health;
    }

    /** The same context binding other variables (for the engine's own probes). */
    StepContext withVars(Map<String, Object> otherVars) {
        return new StepContext(step, target, allTargets, otherVars, cancellation, health);
    }

    /**
     * The same step on another of the runbook's targets, for step types that work across targets
     * (a shard set, a backup per shard). Only targets some step names are open.
     *
     * @throws TargetUnavailableException when that target could not be reached, or the runbook has no such target
     */
    public StepContext onTarget(String name) {
        TargetPool other = allTargets.get(name);
        if (other == null) {
            java.util.Optional<String> down = health.whyDown(name);
            throw new TargetUnavailableException(down.isPresent() ? "target '" + name + "' is unavailable: " + down.get()
                    : "no open target '" + name + "' (open: " + String.join(", ", allTargets.keySet()) + ")");
        }
        return new StepContext(step, other, allTargets, vars, cancellation, health);
    }

    /**
     * Remembers, for the rest of this run, something learned about this target (e.g. which Citus nodes
     * behind it did not answer a probe), so later steps use it instead of finding it out again.
     */
    public void note(String key, Object value) {
        health.note(targetName, key, value);
    }

    /** What an earlier step of this run noted about this target under {@code key}. */
    public java.util.Optional<Object> noted(String key) {
        return health.noted(targetName, key);
    }

    /** The names of the runbook's open targets, in declaration order. */
    public java.util.Set<String> targetNames() {
        return allTargets.keySet();
    }

    /**
     * How to reach this target from an external tool (pg_dump, psql): host, port, user, database,
     * and the password if one was given, which belongs in the tool's PGPASSWORD, never its arguments.
     */
    public io.pgrunbook.db.ConnectionSpec connectionSpec() {
        // A child tool's session settings (pg_dump's search_path = '', row_security = off) would land on
        // a server connection other clients are handed next: refused behind transaction pooling.
        io.pgrunbook.db.PoolerRefusal.check(connected(), step.id(), step.type());
        return target.spec();
    }

    /**
     * How this step's own JDBC connections reach the target (a load test's clients): the spec
     * {@link #connectionSpec()} gives, with pgjdbc settings that keep it correct behind a pooler
     * (no named server-side prepared statements under transaction pooling).
     */
    public io.pgrunbook.db.ConnectionSpec jdbcConnectionSpec() {
        return target.spec();
    }

    /** {@code SHOW what} on PgBouncer's admin console at this target's address (a target whose database is pgbouncer). */
    public List<Map<String, String>> pgbouncerShow(String what) throws SQLException {
        return target.consoleShow(what);
    }

    /** What stands between pgrunbook and this target's server (nothing, or a pooler and its mode). */
    public io.pgrunbook.db.Pooler pooler() {
        return target.pooler();
    }

    public Step step() {
        return step;
    }

    public String targetName() {
        return targetName;
    }

    public ServerInfo server() {
        return connected().serverInfo();
    }

    private TargetPool connected() {
        if (target == null) {
            throw new IllegalStateException("step '" + step.id() + "' declared it needs no database, yet asked for one");
        }
        return target;
    }

    public Map<String, Object> vars() {
        return vars;
    }

    public boolean isCancelled() {
        return cancellation.isCancelled();
    }

    /** Runs the statement in a READ ONLY transaction: a check can never change the database. */
    public ResultTable query(NamedSql sql) throws SQLException {
        refuseTransactionEnd(sql);
        return inTransaction(true, c -> {
            try (PreparedStatement ps = prepare(c, sql)) {
                // Rows arrive in batches (a read-only transaction keeps the cursor open), so a wide result is never
                // held whole: one row first, then read() sizes each batch to the widest row, up to 1000 rows.
                ps.setFetchSize(FIRST_FETCH_ROWS);
                return run(ps);
            }
        });
    }

    /**
     * The driver runs "COMMIT; INSERT ..." as two statements: the second would run after the READ
     * ONLY transaction ended, and write. A read-only query must not end its transaction.
     */
    private static void refuseTransactionEnd(NamedSql sql) throws SQLException {
        for (String head : sql.statementHeads()) {
            String first = head.split(" ")[0];
            if (Set.of("COMMIT", "END", "ROLLBACK", "ABORT").contains(first) || head.equals("PREPARE TRANSACTION")) {
                throw new SQLException("a read-only query may not end its transaction (it contains " + head
                        + "), or what follows would run outside it", SqlStates.READ_ONLY_TRANSACTION);
            }
        }
    }

    /** Runs work in one transaction (read only or not), committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(boolean readOnly, SqlWork<T> work) throws SQLException {
        return inTransaction(readOnly, false, work);
    }

    /**
     * Runs work in one READ ONLY, REPEATABLE READ transaction: every statement sees the same snapshot.
     * The isolation level is set for this transaction only (SET TRANSACTION), never as a session
     * characteristic, so it holds behind transaction pooling too.
     */
    public <T> T inSnapshot(SqlWork<T> work) throws SQLException {
        return inTransaction(true, true, work);
    }

    private <T> T inTransaction(boolean readOnly, boolean repeatableRead, SqlWork<T> work) throws SQLException {
        try (Connection c = target.borrow()) {
            cancellation.register(c);
            try {
                c.setAutoCommit(false);
                c.setReadOnly(readOnly);
                if (repeatableRead) {
                    try (Statement st = c.createStatement()) {
                        st.execute(REPEATABLE_READ);
                    }
                }
                setTimeouts(c, true);
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                cancellation.unregister(c);
                restore(c);
            }
        }
    }

    /**
     * Runs work outside any transaction, for statements that refuse one (VACUUM, CREATE INDEX
     * CONCURRENTLY); the session's timeouts are reset before the connection goes back to the pool.
     *
     * <p>Such work relies on a session of its own (session settings, session advisory locks,
     * statements spread over several transactions on one connection). Behind a pooler that shares
     * server sessions that is not so, and a session setting would leak to another client: the work
     * is refused before it starts, exit 3, naming the pooler and what to connect to instead.
     */
    public <T> T withoutTransaction(SqlWork<T> work) throws SQLException {
        io.pgrunbook.db.PoolerRefusal.check(target, step.id(), step.type());
        try (Connection c = target.borrow()) {
            cancellation.register(c);
            try {
                setTimeouts(c, false);
                return work.run(c);
            } finally {
                cancellation.unregister(c);
                resetTimeouts(c);
            }
        }
    }

    /** Prepares the statement and binds each :name to its variable. */
    public PreparedStatement prepare(Connection c, NamedSql sql) throws SQLException {
        // A cancel that arrived before the statement reached the server found nothing to cancel.
        if (cancellation.isCancelled()) {
            throw new SQLException("interrupted before the statement started", "57014");
        }
        PreparedStatement ps = c.prepareStatement(sql.jdbcSql());
        List<String> names = sql.parameters();
        for (int i = 0; i < names.size(); i++) {
            JdbcValues.bind(c, ps, i + 1, vars.get(names.get(i)));
        }
        long clientTimeout = step.timeout().isZero() ? 0 : step.timeout().plus(CLIENT_GRACE).toSeconds();
        ps.setQueryTimeout((int) Math.min(Integer.MAX_VALUE, clientTimeout));
        return ps;
    }

    /** Executes a prepared statement and reads what it returned: rows, or the count of rows it changed. */
    public static ResultTable run(PreparedStatement ps) throws SQLException {
        boolean hasRows = ps.execute();
        ResultTable last = null;
        while (true) {
            if (hasRows) {
                try (ResultSet rs = ps.getResultSet()) {
                    last = read(rs);
                }
            } else {
                int count = ps.getUpdateCount();
                if (count == -1) {
                    break;
                }
                if (last == null || last.columns().equals(List.of("rows_affected"))) {
                    last = ResultTable.of(List.of("rows_affected"), List.of(List.of((Object) (long) count)));
                }
            }
            hasRows = ps.getMoreResults();
        }
        return last == null ? ResultTable.of(List.of(), List.of()) : last;
    }

    static ResultTable read(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<String> columns = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            columns.add(md.getColumnLabel(i));
        }
        List<List<Object>> rows = new ArrayList<>();
        long total = 0;
        long widest = 0;
        while (rs.next()) {
            total++;
            if (rows.size() < ResultTable.MAX_ROWS) {
                List<Object> row = new ArrayList<>(columns.size());
                long width = 0;
                for (int i = 1; i <= columns.size(); i++) {
                    Object value = JdbcValues.read(rs, i);
                    width += value instanceof String s ? s.length() : 16;
                    row.add(io.pgrunbook.report.CellLimit.bound(value));
                }
                rows.add(row);
                if (width > widest && rs.getFetchSize() > 0) {
                    widest = width;
                    rs.setFetchSize((int) Math.max(1, Math.min(MAX_FETCH_ROWS, FETCH_BYTES / widest)));
                }
            }
        }
        return new ResultTable(columns, rows, total, total > rows.size());
    }

    private static void resetTimeouts(Connection c) {
        try (Statement st = c.createStatement()) {
            st.execute(RESET_TIMEOUTS);
        } catch (SQLException e) {
            // A session we cannot reset must not serve another step with this step's timeouts.
            try {
                c.abort(Runnable::run);
            } catch (SQLException ignored) {
                // Already gone.
            }
        }
    }

    private void setTimeouts(Connection c, boolean local) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SET_TIMEOUTS)) {
            ps.setString(1, Durations.toSetting(step.timeout()));
            ps.setBoolean(2, local);
            ps.setString(3, Durations.toSetting(step.lockTimeout()));
            ps.setBoolean(4, local);
            ps.execute();
        }
    }

    /** Hands the connection back as the pool lent it; a broken one is evicted by the pool anyway. */
    private static void restore(Connection c) {
        try {
            c.setReadOnly(false);
            c.setAutoCommit(true);
        } catch (SQLException ignored) {
            // The connection is broken: the pool drops it; the step's own error is what matters.
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // The original error matters more; a dead connection is discarded by the pool.
        }
    }
}
