package io.pgrunbook.steps.shardmove;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.steps.shardset.ShardTable;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every key of one shard with its rows and bytes summed over the move's tables, read in one snapshot,
 * split into the keys that move (jump hash changes from N to N+1), the keys that stay, and the keys
 * that should not be on this shard at all with N shards (the shard map does not match the data).
 */
final class KeyScan {
    /** Per key: rows and bytes over all tables. */
    record KeyRows(long rows, long bytes) {
        KeyRows plus(long r, long b) {
            return new KeyRows(rows + r, bytes + b);
        }
    }

    final String shard;
    final Map<String, KeyRows> moving = new TreeMap<>();
    final Map<String, Integer> misplaced = new TreeMap<>();
    /** Every key the shard holds. */
    final java.util.Set<String> all = new java.util.TreeSet<>();
    long stayingKeys;
    long stayingRows;

    private KeyScan(String shard) {
        this.shard = shard;
    }

    static KeyScan of(StepContext shard, int index, MoveConfig config, Map<String, ShardTable> tables) throws SQLException {
        KeyScan scan = new KeyScan(shard.targetName());
        Map<String, KeyRows> all = Tx.snapshot(shard, c -> {
            Map<String, KeyRows> keys = new TreeMap<>();
            for (ShardTable t : tables.values()) {
                try (PreparedStatement ps = c.prepareStatement(MoveSql.keyStats(t.relation(), t.column()))) {
                    ps.setFetchSize(10_000);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            long rows = rs.getLong(2);
                            long bytes = rs.getLong(3);
                            keys.merge(rs.getString(1), new KeyRows(rows, bytes), (a, b) -> a.plus(b.rows, b.bytes));
                        }
                    }
                }
            }
            return keys;
        });
        for (Map.Entry<String, KeyRows> e : all.entrySet()) {
            String key = e.getKey();
            if (key == null) {
                continue;
            }
            scan.all.add(key);
            int home = config.homeNow(key);
            if (index >= 0 && home != index) {
                scan.misplaced.put(key, home);
            } else if (config.moves(key)) {
                scan.moving.put(key, e.getValue());
            } else {
                scan.stayingKeys++;
                scan.stayingRows += e.getValue().rows();
            }
        }
        return scan;
    }

    long movingRows() {
        return moving.values().stream().mapToLong(KeyRows::rows).sum();
    }

    long movingBytes() {
        return moving.values().stream().mapToLong(KeyRows::bytes).sum();
    }

    /** The distinct keys of one shard over the tables, in one snapshot; cheaper than {@link #of} (no row counts). */
    static java.util.Set<String> keys(StepContext shard, Map<String, ShardTable> tables) throws SQLException {
        return Tx.snapshot(shard, c -> {
            java.util.Set<String> keys = new java.util.TreeSet<>();
            for (ShardTable t : tables.values()) {
                try (PreparedStatement ps = c.prepareStatement(MoveSql.distinctKeys(t))) {
                    ps.setFetchSize(10_000);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            if (rs.getString(1) != null) {
                                keys.add(rs.getString(1));
                            }
                        }
                    }
                }
            }
            return keys;
        });
    }

    /** The keys of one shard that move to the new shard. */
    static java.util.Set<String> moving(StepContext shard, MoveConfig config, Map<String, ShardTable> tables) throws SQLException {
        java.util.Set<String> keys = keys(shard, tables);
        keys.removeIf(k -> !config.moves(k));
        return keys;
    }
}
