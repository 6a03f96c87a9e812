package io.pgrunbook.steps.shardmove;

import io.pgrunbook.engine.StepContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A move's state, kept on the new shard ({@code pgrunbook.shard_move} and one row per copy batch in
 * {@code pgrunbook.shard_move_batch}): a batch is marked done in the same transaction that writes its
 * rows, so after a kill the state says exactly which batches are on the new shard.
 */
final class MoveState {
    enum Phase {
        SETUP, COPY, CATCH_UP, VERIFY, CUTOVER, GRACE, CLEANUP, DONE, PAUSED, CANCELLED;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        static Phase parse(String label) {
            return valueOf(label.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        }
    }

    record Move(long id, String signature, Phase phase, String message, boolean copyStarted, boolean mapWritten, double seconds) {}

    record Batch(String source, int batchNo, List<String> keys, long plannedRows) {}

    record Progress(long batches, long done, long plannedRows, long copiedRows, long plannedDone) {}

    private MoveState() {}

    static boolean exists(StepContext target) throws SQLException {
        return target.inTransaction(true, c -> bool(c, MoveSql.STATE_EXISTS));
    }

    static void create(StepContext target) throws SQLException {
        Tx.write(target, c -> {
            try (Statement st = c.createStatement()) {
                st.execute(MoveSql.STATE_SCHEMA);
            }
            return null;
        });
    }

    /** The unfinished move, if any. */
    static Optional<Move> active(StepContext target) throws SQLException {
        return exists(target) ? read(target, MoveSql.ACTIVE_MOVE) : Optional.empty();
    }

    /** The newest move, finished or not (for status). */
    static Optional<Move> last(StepContext target) throws SQLException {
        return exists(target) ? read(target, MoveSql.LAST_MOVE) : Optional.empty();
    }

    private static Optional<Move> read(StepContext target, String sql) throws SQLException {
        return target.inTransaction(true, c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Move(rs.getLong("id"), rs.getString("signature"), Phase.parse(rs.getString("phase")),
                        rs.getString("message"), rs.getTimestamp("copy_started_at") != null, rs.getTimestamp("map_written_at") != null,
                        rs.getDouble("seconds")));
            }
        });
    }

    static long begin(StepContext target, String signature) throws SQLException {
        return Tx.write(target, c -> {
            try (PreparedStatement ps = c.prepareStatement(MoveSql.NEW_MOVE)) {
                ps.setString(1, signature);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    static void phase(StepContext target, long id, Phase phase, String message) throws SQLException {
        update(target, MoveSql.SET_PHASE, phase, message, id);
    }

    static void finish(StepContext target, long id, Phase phase, String message) throws SQLException {
        update(target, MoveSql.FINISH, phase, message, id);
    }

    private static void update(StepContext target, String sql, Phase phase, String message, long id) throws SQLException {
        Tx.write(target, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, phase.label());
                ps.setString(2, message);
                ps.setLong(3, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    static void copyStarted(StepContext target, long id) throws SQLException {
        Tx.write(target, c -> {
            try (PreparedStatement ps = c.prepareStatement(MoveSql.COPY_STARTED)) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Records the shard map as written (once) and returns how many seconds ago that was. */
    static double mapWritten(StepContext target, long id) throws SQLException {
        return Tx.write(target, c -> {
            try (PreparedStatement ps = c.prepareStatement(MoveSql.MAP_WRITTEN)) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getDouble(1);
                }
            }
        });
    }

    static boolean batchesPlanned(StepContext target, long id) throws SQLException {
        return target.inTransaction(true, c -> {
            try (PreparedStatement ps = c.prepareStatement(MoveSql.BATCH_COUNT)) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1) > 0;
                }
            }
        });
    }

    static void planBatches(StepContext target, long id, List<Batch> batches) throws SQLException {
        Tx.write(target, c -> {
            try (PreparedStatement ps = c.prepareStatement(MoveSql.ADD_BATCH)) {
                for (Batch b : batches) {
                    ps.setLong(1, id);
                    ps.setString(2, b.source());
                    ps.setInt(3, b.batchNo());
                    ps.setArray(4, c.createArrayOf("text", b.keys().toArray()));
                    ps.setLong(5, b.plannedRows());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    static List<Batch> pending(StepContext target, long id) throws SQLException {
        return target.inTransaction(true, c -> {
            List<Batch> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(MoveSql.PENDING_BATCHES)) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Batch(rs.getString(1), rs.getInt(2), List.of((String[]) rs.getArray(3).getArray()), rs.getLong(4)));
                    }
                }
            }
            return out;
        });
    }

    /** Marks a batch done inside the transaction that wrote its rows. */
    static void batchDone(Connection c, long id, Batch b, long rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(MoveSql.BATCH_DONE)) {
            ps.setLong(1, rows);
            ps.setLong(2, id);
            ps.setString(3, b.source());
            ps.setInt(4, b.batchNo());
            ps.executeUpdate();
        }
    }

    static Progress progress(StepContext target, long id) throws SQLException {
        return target.inTransaction(true, c -> {
            try (PreparedStatement ps = c.prepareStatement(MoveSql.PROGRESS)) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Progress(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
                }
            }
        });
    }

    private static boolean bool(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
