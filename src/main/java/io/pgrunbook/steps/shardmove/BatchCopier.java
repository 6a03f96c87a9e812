package io.pgrunbook.steps.shardmove;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.steps.shardset.ShardTable;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Copies every row of a set of keys from a source shard to the new shard: the rows are read in one
 * snapshot of the source (all tables at the same instant), then written in one transaction on the
 * new shard that first deletes whatever it holds of those keys (children first) and inserts them
 * (parents first). Copying the same keys again is therefore harmless: a resumed or repeated batch
 * never duplicates a row, and a catch-up replaces a key's rows with the source's current ones.
 *
 * <p>Rows travel as binary COPY with an explicit column list (by name, so column order may differ
 * between shards; the schema check has proved the types equal). COPY takes no bind parameters, so
 * the batch's keys reach it through a transaction-local setting that is bound like any value.
 */
final class BatchCopier {
    /** One batch's rows: per table (parents first), its binary COPY data and row count. */
    record Rows(List<byte[]> data, long rows) {}

    private final MoveConfig config;
    private final Map<String, ShardTable> sourceTables;
    private final Map<String, ShardTable> targetTables;
    private final Map<String, String> columns = new LinkedHashMap<>();

    BatchCopier(MoveConfig config, Map<String, ShardTable> sourceTables, Map<String, ShardTable> targetTables) {
        this.config = config;
        this.sourceTables = sourceTables;
        this.targetTables = targetTables;
    }

    /** The copied columns of each table (stored ones: generated columns are computed on the new shard), quoted by the server. */
    void readColumns(StepContext target) throws SQLException {
        target.inTransaction(true, c -> {
            for (Map.Entry<String, ShardTable> t : targetTables.entrySet()) {
                try (PreparedStatement ps = c.prepareStatement(MoveSql.COLUMNS)) {
                    ps.setString(1, t.getValue().relation());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        columns.put(t.getKey(), rs.getString(1));
                    }
                }
            }
            return null;
        });
    }

    /** Rows the source holds of these keys, per table (parent first), in one snapshot. */
    Rows read(StepContext source, Collection<String> keys) throws SQLException {
        return Tx.snapshot(source, c -> {
            bindKeys(c, keys);
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            List<byte[]> out = new ArrayList<>();
            long rows = 0;
            for (Map.Entry<String, ShardTable> t : sourceTables.entrySet()) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                try {
                    rows += copy.copyOut(MoveSql.copyOut(t.getValue(), columns.get(t.getKey())), buffer);
                } catch (IOException e) {
                    throw new SQLException("reading " + t.getKey() + " from " + source.targetName() + ": " + e.getMessage(), "08006", e);
                }
                out.add(buffer.toByteArray());
            }
            return new Rows(out, rows);
        });
    }

    /**
     * Replaces the keys' rows on the new shard with the given ones, in one transaction; {@code also}
     * runs in the same transaction (marking the batch done), so progress and data commit together.
     *
     * @return rows inserted
     */
    long write(StepContext target, Collection<String> keys, Rows rows, TxStep also) throws SQLException {
        return Tx.write(target, c -> {
            Array keyArray = c.createArrayOf("text", keys.toArray());
            for (String table : config.deleteOrder()) {
                try (PreparedStatement ps = c.prepareStatement(MoveSql.deleteKeys(targetTables.get(table)))) {
                    ps.setArray(1, keyArray);
                    ps.executeUpdate();
                }
            }
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            long inserted = 0;
            int i = 0;
            for (Map.Entry<String, ShardTable> t : targetTables.entrySet()) {
                byte[] data = rows.data().get(i++);
                try {
                    inserted += copy.copyIn(MoveSql.copyIn(t.getValue(), columns.get(t.getKey())), new ByteArrayInputStream(data));
                } catch (IOException e) {
                    throw new SQLException("writing " + t.getKey() + " to " + target.targetName() + ": " + e.getMessage(), "08006", e);
                }
            }
            also.run(c, inserted);
            return inserted;
        });
    }

    long copy(StepContext source, StepContext target, Collection<String> keys, TxStep also) throws SQLException {
        return write(target, keys, read(source, keys), also);
    }

    private static void bindKeys(Connection c, Collection<String> keys) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(MoveSql.BIND_KEYS)) {
            ps.setArray(1, c.createArrayOf("text", keys.toArray()));
            ps.execute();
        }
    }

    /** Work that joins the target's transaction. */
    interface TxStep {
        TxStep NONE = (c, rows) -> { };

        void run(Connection c, long rows) throws SQLException;
    }
}
