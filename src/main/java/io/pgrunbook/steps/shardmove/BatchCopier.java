package io.pgrunbook.steps.shardmove;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.steps.shardset.ShardTable;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Copies every row of a set of keys from a source shard to the new shard: the rows are read in one
 * snapshot of the source (all tables at the same instant), then written in one transaction on the
 * new shard that first deletes whatever it holds of those keys (children first) and inserts them
 * (parents first). Copying the same keys again is therefore harmless: a resumed or repeated batch
 * never duplicates a row, and a catch-up replaces a key's rows with the source's current ones.
 */
final class BatchCopier {
    private final MoveConfig config;
    private final Map<String, ShardTable> sourceTables;
    private final Map<String, ShardTable> targetTables;

    BatchCopier(MoveConfig config, Map<String, ShardTable> sourceTables, Map<String, ShardTable> targetTables) {
        this.config = config;
        this.sourceTables = sourceTables;
        this.targetTables = targetTables;
    }

    /** Rows the source holds of these keys, per table (parent first), as jsonb arrays, in one snapshot. */
    List<String> read(StepContext source, Collection<String> keys) throws SQLException {
        return Tx.snapshot(source, c -> {
            List<String> out = new ArrayList<>();
            for (ShardTable t : sourceTables.values()) {
                try (PreparedStatement ps = c.prepareStatement(MoveSql.readRows(t))) {
                    ps.setArray(1, c.createArrayOf("text", keys.toArray()));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Replaces the keys' rows on the new shard with the given ones, in one transaction; {@code also}
     * runs in the same transaction (marking the batch done), so progress and data commit together.
     *
     * @return rows inserted
     */
    long write(StepContext target, Collection<String> keys, List<String> rows, TxStep also) throws SQLException {
        return Tx.write(target, c -> {
            Array keyArray = c.createArrayOf("text", keys.toArray());
            for (String table : config.deleteOrder()) {
                try (PreparedStatement ps = c.prepareStatement(MoveSql.deleteKeys(targetTables.get(table)))) {
                    ps.setArray(1, keyArray);
                    ps.executeUpdate();
                }
            }
            long inserted = 0;
            int i = 0;
            for (ShardTable t : targetTables.values()) {
                String json = rows.get(i++);
                if (json.equals("[]")) {
                    continue;
                }
                try (PreparedStatement ps = c.prepareStatement(MoveSql.insertRows(t))) {
                    ps.setString(1, json);
                    inserted += ps.executeUpdate();
                }
            }
            also.run(c, inserted);
            return inserted;
        });
    }

    long copy(StepContext source, StepContext target, Collection<String> keys, TxStep also) throws SQLException {
        return write(target, keys, read(source, keys), also);
    }

    /** Work that joins the target's transaction. */
    interface TxStep {
        TxStep NONE = (c, rows) -> { };

        void run(java.sql.Connection c, long rows) throws SQLException;
    }
}
