package io.pgrunbook.steps.loadtest;

import io.pgrunbook.steps.loadtest.Scenario.ShardSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names the shard an operation landed on from its shard key: a jump-hash bucket, or the Citus shard id
 * the coordinator reports for that distribution value. Citus answers are cached per key, so each
 * distinct key costs one lookup, made after the operation's latency was taken.
 */
final class ShardAttribution {
    static final String CITUS_SHARD_OF = "SELECT get_shard_id_for_distribution_column(?::regclass, ?)";
    static final String CITUS_SHARD_COUNT = "SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = ?::regclass";

    /** Beyond this many distinct keys, lookups are not cached, so memory stays bounded. */
    static final int MAX_CACHED_KEYS = 100_000;

    private final ShardSpec spec;
    private final ConcurrentHashMap<String, String> citusCache = new ConcurrentHashMap<>();
    private final int shards;

    private ShardAttribution(ShardSpec spec, int shards) {
        this.spec = spec;
        this.shards = shards;
    }

    /** Checks a Citus table on {@code c} (that it is distributed) and counts its shards. */
    static ShardAttribution of(ShardSpec spec, Connection c) throws SQLException {
        if (spec.citusTable() == null) {
            return new ShardAttribution(spec, spec.shards());
        }
        try (PreparedStatement ps = c.prepareStatement(CITUS_SHARD_COUNT)) {
            ps.setString(1, spec.citusTable());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                int n = rs.getInt(1);
                if (n == 0) {
                    throw new SQLException("shard.citus_table: '" + spec.citusTable() + "' has no Citus shards; distribute it first "
                            + "(SELECT create_distributed_table('" + spec.citusTable() + "', '<column>'))", "22023");
                }
                return new ShardAttribution(spec, n);
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "42883".equals(e.getSQLState())) {
                throw new SQLException("shard.citus_table: " + e.getMessage()
                        + " (is the target a Citus coordinator, and does the table exist?)", e.getSQLState(), e);
            }
            throw e;
        }
    }

    /** How many shards there are: the jump-hash buckets, or the Citus table's shards. */
    int shards() {
        return shards;
    }

    String key() {
        return spec.key();
    }

    String shardOf(Object key, Connection c) throws SQLException {
        if (spec.citusTable() == null) {
            return String.valueOf(JumpHash.shard(key, shards));
        }
        String k = String.valueOf(key);
        String cached = citusCache.get(k);
        if (cached != null) {
            return cached;
        }
        try (PreparedStatement ps = c.prepareStatement(CITUS_SHARD_OF)) {
            ps.setString(1, spec.citusTable());
            ps.setString(2, k);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                String shard = String.valueOf(rs.getLong(1));
                if (citusCache.size() < MAX_CACHED_KEYS) {
                    citusCache.putIfAbsent(k, shard);
                }
                return shard;
            }
        }
    }
}
