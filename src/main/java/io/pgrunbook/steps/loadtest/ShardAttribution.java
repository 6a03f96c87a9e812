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
    static final String CITUS_SHARD_COUNT = """
            SELECT (SELECT count(*) FROM pg_dist_shard s WHERE s.logicalrelid = p.oid) AS shards,
                   (SELECT column_to_column_name(d.logicalrelid, d.partkey) || ' ' || format_type(a.atttypid, a.atttypmod)
                      FROM pg_dist_partition d
                      JOIN pg_attribute a ON a.attrelid = d.logicalrelid AND a.attname = column_to_column_name(d.logicalrelid, d.partkey)
                     WHERE d.logicalrelid = p.oid AND d.partkey IS NOT NULL) AS distribution_column
            FROM (SELECT ?::regclass::oid AS oid) p
            """;

    /** Beyond this many distinct keys, lookups are not cached, so memory stays bounded. */
    static final int MAX_CACHED_KEYS = 100_000;

    private final ShardSpec spec;
    private final ConcurrentHashMap<String, String> citusCache = new ConcurrentHashMap<>();
    private final int shards;
    /** "tenant_id uuid": the Citus table's distribution column and its type, for the reason a key cannot be mapped. */
    private final String distributionColumn;

    private ShardAttribution(ShardSpec spec, int shards, String distributionColumn) {
        this.spec = spec;
        this.shards = shards;
        this.distributionColumn = distributionColumn;
    }

    /** Checks a Citus table on {@code c} (that it is distributed) and counts its shards. */
    static ShardAttribution of(ShardSpec spec, Connection c) throws SQLException {
        if (spec.citusTable() == null) {
            return new ShardAttribution(spec, spec.shards(), null);
        }
        try (PreparedStatement ps = c.prepareStatement(CITUS_SHARD_COUNT)) {
            ps.setString(1, spec.citusTable());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                int n = rs.getInt("shards");
                if (n == 0) {
                    throw new SQLException("shard.citus_table: '" + spec.citusTable() + "' has no Citus shards; distribute it first "
                            + "(SELECT create_distributed_table('" + spec.citusTable() + "', '<column>'))", "22023");
                }
                return new ShardAttribution(spec, n, rs.getString("distribution_column"));
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "42883".equals(e.getSQLState())) {
                throw new SQLException("shard.citus_table: " + e.getMessage()
                        + " (is the target a Citus coordinator, and does the table exist?)", e.getSQLState(), e);
            }
            throw e;
        }
    }

    /**
     * Why {@code key} cannot be attributed: the lookup's error, the table's distribution column and what to
     * change. A key that cannot be mapped makes every share meaningless, so the run stops with this.
     */
    String cannotMap(Object key, SQLException e) {
        return "shard attribution: the value '" + key + "' of shard.key '" + spec.key() + "' cannot be mapped to a shard of "
                + spec.citusTable() + (distributionColumn == null ? "" : " (distributed by " + distributionColumn + ")") + ": "
                + io.pgrunbook.db.SqlStates.describe(e) + " (SQLSTATE " + io.pgrunbook.db.SqlStates.state(e)
                + "); shard.key must name the parameter that holds the distribution column's value, of its type";
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
