package io.pgrunbook.steps.migrate;

import io.pgrunbook.db.Sandbox;
import io.pgrunbook.db.SandboxOptions;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code migrate rehearse}: the pending migrations applied to a throwaway copy of the target (schema
 * and a bounded sample) in a sandbox, reporting per migration its duration, the lock modes it held on
 * which tables (pg_locks, read before COMMIT) and the tables it rewrote (relfilenode changed). The
 * target is only read.
 */
final class Rehearsal {
    /** Relation locks this backend holds, read inside the migration's transaction before it commits. */
    private static final String LOCKS = """
            SELECT format('%I.%I', n.nspname, c.relname), l.mode FROM pg_locks l
              JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND c.relkind IN ('r', 'p', 'm')
               AND n.nspname NOT IN ('pg_catalog', 'information_schema')
             ORDER BY 1, 2""";
    private static final String FILENODES = """
            SELECT format('%I.%I', n.nspname, c.relname), pg_relation_filenode(c.oid) FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'""";
    static final int DEFAULT_SAMPLE_ROWS = 10_000;

    private Rehearsal() {}

    static StepOutcome run(StepContext ctx, SchemaHistory history, List<Migration> pending, int sampleRows, MigrationSettings settings)
            throws SQLException {
        if (pending.isEmpty()) {
            return StepOutcome.verdict(Status.PASS, "nothing pending to rehearse", Evidence.none());
        }
        Path work;
        try {
            work = Files.createTempDirectory("pgrunbook-rehearse");
        } catch (java.io.IOException e) {
            throw new MigrationException("cannot make a working directory for the rehearsal: " + e.getMessage());
        }
        long t0 = System.nanoTime();
        try (Sandbox sandbox = Sandbox.start(SandboxOptions.defaults())) {
            long copied = ctx.inTransaction(true, c -> RehearsalCopy.copy(ctx.connectionSpec(), c, sandbox, history, sampleRows, work));
            long copyMs = (System.nanoTime() - t0) / 1_000_000;
            List<List<Object>> rows = new ArrayList<>();
            int done = 0;
            try (Connection c = DriverManager.getConnection(sandbox.jdbcUrl())) {
                for (Migration m : pending) {
                    String failure = apply(c, ctx, m, rows, settings);
                    if (failure != null) {
                        return StepOutcome.verdict(Status.FAIL, "rehearsal: migration " + m.version() + " fails on the copy: " + failure + "; "
                                + done + " rehearsed before it; the target was not changed", evidence(rows));
                    }
                    done++;
                }
            }
            long exclusive = rows.stream().filter(r -> String.valueOf(r.get(3)).contains("AccessExclusiveLock")).count();
            long rewrites = rows.stream().filter(r -> r.get(4) != null).count();
            String version = sandbox.serverMajorVersion() + (ctx.server() != null && ctx.server().major() != sandbox.serverMajorVersion()
                    ? " (the target runs " + ctx.server().major() + ": timings and locks may differ there)" : "");
            return StepOutcome.verdict(exclusive + rewrites > 0 ? Status.WARN : Status.PASS, "rehearsed " + done + " pending migration(s) on a copy "
                    + "(schema, the history, at most " + sampleRows + " rows per table: " + copied + " rows, copied in " + copyMs + " ms) in a "
                    + "PostgreSQL " + version + " sandbox; " + exclusive + " took an ACCESS EXCLUSIVE lock, " + rewrites
                    + " rewrote a table; the target was not changed", evidence(rows));
        } finally {
            deleteQuietly(work);
        }
    }

    /** Applies one migration to the copy; returns null, or the error. */
    private static String apply(Connection c, StepContext ctx, Migration m, List<List<Object>> rows, MigrationSettings settings) throws SQLException {
        String file = m.upFile().getFileName().toString();
        List<SqlScript.Statement> statements = SqlScript.split(MigrationExecutor.substitute(m.upSql(), ctx.vars(), file), m.upFile());
        boolean tx = MigrationExecutor.transactional(statements, 0);
        Map<String, Long> before = filenodes(c);
        Map<String, String> locks = new TreeMap<>();
        long start = System.nanoTime();
        c.setAutoCommit(!tx);
        try (Statement st = c.createStatement()) {
            st.execute("SET statement_timeout = '" + MigrationSettings.setting(settings.statementTimeout()) + "'");
            for (SqlScript.Statement s : statements) {
                st.execute(s.text());
                if (!tx) {
                    // Outside a transaction each statement commits at once: its locks are read right after it, as far as they last.
                    locks.putAll(locks(c));
                }
            }
            if (tx) {
                locks.putAll(locks(c));
                c.commit();
            }
        } catch (SQLException e) {
            if (tx) {
                c.rollback();
            }
            rows.add(Arrays.asList(m.version(), file, (System.nanoTime() - start) / 1_000_000, null, null, "failed: " + e.getMessage()));
            return file + ": " + e.getMessage();
        } finally {
            c.setAutoCommit(true);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        Map<String, Long> after = filenodes(c);
        List<String> rewritten = new ArrayList<>();
        before.forEach((table, node) -> {
            Long now = after.get(table);
            if (now != null && !now.equals(node)) {
                rewritten.add(table);
            }
        });
        List<String> held = new ArrayList<>();
        locks.forEach((table, modes) -> held.add(table + ": " + modes));
        rows.add(Arrays.asList(m.version(), file, ms, held.isEmpty() ? null : String.join("; ", held),
                rewritten.isEmpty() ? null : String.join(", ", rewritten), tx ? "in one transaction" : "outside a transaction: locks seen after each statement"));
        return null;
    }

    private static Map<String, String> locks(Connection c) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(LOCKS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.merge(rs.getString(1), rs.getString(2), (a, b) -> a + ", " + b);
            }
        }
        return out;
    }

    private static Map<String, Long> filenodes(Connection c) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(FILENODES); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    private static Evidence evidence(List<List<Object>> rows) {
        return new Evidence(null, rows.size() + " migration(s) rehearsed", List.of("version", "file", "ms", "locks", "rewrote", "note"), rows, rows.size());
    }

    private static void deleteQuietly(Path dir) {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException ignored) {
            // A temporary directory left behind is harmless.
        }
    }
}
