package io.pgrunbook.steps.shardset;

import io.pgrunbook.engine.StepContext;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads one table's keys on one shard (a sample, or every row) and hashes each as the router would:
 * how many rows live on a shard their key does not hash to, where they hash to instead, and which
 * shard count would have put every examined row where it is (the signature of a wrong shard count).
 */
final class PlacementScan {
    /** Keys kept to try other shard counts against; enough to be sure, cheap to rehash 2N times. */
    private static final int FIT_KEYS = 10_000;
    private static final int FETCH_SIZE = 5_000;

    final int shardIndex;
    final int shardCount;
    final KeyHash hash;
    long examined;
    long misplaced;
    final long[] hashesTo;
    final Set<String> examples = new LinkedHashSet<>();
    final Set<Object> distinctKeys = new LinkedHashSet<>();
    private final long[] fitHashes = new long[FIT_KEYS];
    private int fitCount;
    private final int maxExamples;

    PlacementScan(int shardIndex, int shardCount, KeyHash hash, int maxExamples) {
        this.shardIndex = shardIndex;
        this.shardCount = shardCount;
        this.hash = hash;
        this.hashesTo = new long[shardCount];
        this.maxExamples = maxExamples;
    }

    /** Streams the keys in one read-only transaction with the step's statement timeout. */
    void scan(StepContext context, ShardTable table, Sampling.Plan plan, Sampling sampling) throws SQLException {
        String keyExpr = hash.hashesText() ? table.column() + "::text" : table.column();
        String sql = String.format(plan.sqlTemplate(), keyExpr, table.relation());
        context.inTransaction(true, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int p = 1;
                if (plan.sqlTemplate().contains("TABLESAMPLE")) {
                    ps.setDouble(p++, plan.percent());
                    ps.setInt(p++, sampling.seed());
                }
                if (plan.sqlTemplate().contains("LIMIT")) {
                    ps.setLong(p, sampling.rows());
                }
                ps.setFetchSize(FETCH_SIZE);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (hash.hashesText()) {
                            String key = rs.getString(1);
                            if (key != null) {
                                add(key, hash.ofText(key));
                            }
                        } else {
                            long key = rs.getLong(1);
                            if (!rs.wasNull()) {
                                add(key, key);
                            }
                        }
                        if ((examined & 0xFFF) == 0 && context.isCancelled()) {
                            throw new SQLException("interrupted while reading keys", "57014");
                        }
                    }
                }
            }
            return null;
        });
    }

    private void add(Object key, long hashed) {
        examined++;
        distinctKeys.add(key);
        if (fitCount < FIT_KEYS) {
            fitHashes[fitCount++] = hashed;
        }
        int bucket = JumpHash.bucket(hashed, shardCount);
        if (bucket != shardIndex) {
            misplaced++;
            hashesTo[bucket]++;
            if (examples.size() < maxExamples) {
                examples.add(String.valueOf(key));
            }
        }
    }

    /**
     * A shard count other than the map's under which every kept key hashes to this shard, or 0 when
     * there is none. Data routed with M &lt; N shards and checked against N shows exactly this (jump hash
     * only ever moves keys to the new shards), and then every M' &lt;= M fits too on the lower shards,
     * so the largest fitting count below N is the one the data was routed with.
     */
    int countThatFitsAll() {
        if (fitCount == 0 || misplaced == 0) {
            return 0;
        }
        for (int m = shardCount - 1; m > shardIndex; m--) {
            if (fitsAll(m)) {
                return m;
            }
        }
        int limit = Math.max(2 * shardCount, shardCount + 8);
        for (int m = shardCount + 1; m <= limit; m++) {
            if (fitsAll(m)) {
                return m;
            }
        }
        return 0;
    }

    private boolean fitsAll(int m) {
        for (int k = 0; k < fitCount; k++) {
            if (JumpHash.bucket(fitHashes[k], m) != shardIndex) {
                return false;
            }
        }
        return true;
    }

    /** "shard3: 37, shard4: 2", naming shards as the map does. */
    String hashesToText(List<String> shards) {
        List<String> parts = new ArrayList<>();
        for (int b = 0; b < hashesTo.length; b++) {
            if (hashesTo[b] > 0) {
                parts.add(shards.get(b) + ": " + hashesTo[b]);
            }
        }
        return String.join(", ", parts);
    }
}
