package io.pgrunbook.steps.loadtest;

import io.pgrunbook.db.JdbcValues;
import io.pgrunbook.steps.loadtest.Scenario.DataLoad;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Loads a scenario's initial rows with batched prepared inserts, one transaction per batch, from a
 * random source seeded by the scenario's seed and the load's name: the same seed, the same rows.
 * A load whose {@code skip_if} query returns true is skipped (the data is already there).
 */
final class DataLoader {
    private DataLoader() {}

    /** One line per load saying what happened. */
    static List<String> load(Scenario scenario, LoadRunner.ConnectionSource connections, BooleanSupplier cancelled) throws SQLException {
        List<String> notes = new ArrayList<>();
        if (scenario.data().isEmpty()) {
            return notes;
        }
        try (Connection c = connections.open()) {
            for (DataLoad load : scenario.data()) {
                if (load.skipIf() != null && skip(c, load)) {
                    notes.add("data " + load.name() + ": skipped (skip_if is true: the data is already there)");
                    continue;
                }
                long began = System.nanoTime();
                long rows = insert(c, load, new SplittableRandom(seedFor(scenario.seed(), load.name())), cancelled);
                notes.add("data " + load.name() + ": loaded " + rows + " rows in " + (System.nanoTime() - began) / 1_000_000 + " ms");
            }
        }
        return notes;
    }

    static long seedFor(long seed, String loadName) {
        return seed ^ JumpHash.fnv1a(loadName);
    }

    private static boolean skip(Connection c, DataLoad load) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(load.skipIf().jdbcSql()); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return false;
            }
            Object v = rs.getObject(1);
            return Boolean.TRUE.equals(v);
        }
    }

    private static long insert(Connection c, DataLoad load, SplittableRandom random, BooleanSupplier cancelled) throws SQLException {
        c.setAutoCommit(false);
        long done = 0;
        try (PreparedStatement ps = c.prepareStatement(load.sql().jdbcSql())) {
            List<String> names = load.sql().parameters();
            int inBatch = 0;
            for (long row = 0; row < load.rows(); row++) {
                Map<String, Object> vars = next(load, random);
                for (int i = 0; i < names.size(); i++) {
                    JdbcValues.bind(c, ps, i + 1, vars.get(names.get(i)));
                }
                ps.addBatch();
                if (++inBatch == load.batch()) {
                    ps.executeBatch();
                    c.commit();
                    done += inBatch;
                    inBatch = 0;
                    if (cancelled.getAsBoolean()) {
                        throw new SQLException("interrupted while loading data " + load.name() + " after " + done + " rows", "57014");
                    }
                }
            }
            if (inBatch > 0) {
                ps.executeBatch();
                c.commit();
                done += inBatch;
            }
        } catch (SQLException e) {
            // The load's own error is what the report must show: cleanup that fails too is attached to it, never thrown over it.
            try {
                c.rollback();
                c.setAutoCommit(true);
            } catch (SQLException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        c.setAutoCommit(true);
        return done;
    }

    /** The parameters of the next row, drawn in a fixed order so that the same seed gives the same rows. */
    static Map<String, Object> next(DataLoad load, SplittableRandom random) {
        Map<String, Object> vars = new HashMap<>();
        load.params().forEach((name, generator) -> vars.put(name, generator.next(random)));
        return vars;
    }
}
