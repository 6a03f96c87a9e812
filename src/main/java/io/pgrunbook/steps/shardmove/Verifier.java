package io.pgrunbook.steps.shardmove;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.steps.shardset.ShardTable;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares moved keys between a source and the new shard, VDiff style: per key and table, the row
 * count and an md5 over the rows' jsonb text in a fixed order, computed with the same SQL on both
 * sides (each side in one snapshot). Every key that differs is returned, not a sample.
 */
final class Verifier {
    /** Keys compared per round trip. */
    static final int KEYS_PER_QUERY = 2000;

    /** A key whose rows differ, with what each side holds ("rows/md5-prefix" per table). */
    record Mismatch(String source, String key, String sourceRows, String targetRows) {}

    private final Map<String, ShardTable> sourceTables;
    private final Map<String, ShardTable> targetTables;

    Verifier(Map<String, ShardTable> sourceTables, Map<String, ShardTable> targetTables) {
        this.sourceTables = sourceTables;
        this.targetTables = targetTables;
    }

    List<Mismatch> compare(StepContext source, StepContext target, Collection<String> keys) throws SQLException {
        List<Mismatch> out = new ArrayList<>();
        List<String> all = new ArrayList<>(keys);
        for (int from = 0; from < all.size(); from += KEYS_PER_QUERY) {
            List<String> part = all.subList(from, Math.min(all.size(), from + KEYS_PER_QUERY));
            // Both sides at once: each is one snapshot of its own shard either way.
            java.util.concurrent.CompletableFuture<Map<String, String>> onTarget = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return sums(target, targetTables, part);
                } catch (SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            Map<String, String> s = sums(source, sourceTables, part);
            Map<String, String> t;
            try {
                t = onTarget.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof SQLException sql) {
                    throw sql;
                }
                throw e;
            }
            for (String key : part) {
                String a = s.getOrDefault(key, "");
                String b = t.getOrDefault(key, "");
                if (!a.equals(b)) {
                    out.add(new Mismatch(source.targetName(), key, a.isEmpty() ? "no rows" : a, b.isEmpty() ? "no rows" : b));
                }
            }
        }
        return out;
    }

    /** Per key: "table rows md5; ..." over the tables, in one snapshot of the shard. */
    private static Map<String, String> sums(StepContext shard, Map<String, ShardTable> tables, List<String> keys) throws SQLException {
        return Tx.snapshot(shard, c -> {
            Map<String, Map<String, String>> byKey = new HashMap<>();
            for (Map.Entry<String, ShardTable> t : tables.entrySet()) {
                try (PreparedStatement ps = c.prepareStatement(MoveSql.checksums(t.getValue()))) {
                    ps.setArray(1, c.createArrayOf("text", keys.toArray()));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            byKey.computeIfAbsent(rs.getString(1), k -> new TreeMap<>())
                                    .put(t.getKey(), rs.getLong(2) + " rows md5 " + rs.getString(3).substring(0, 12));
                        }
                    }
                }
            }
            Map<String, String> out = new HashMap<>();
            byKey.forEach((k, v) -> {
                StringBuilder sb = new StringBuilder();
                v.forEach((table, sum) -> sb.append(sb.length() == 0 ? "" : "; ").append(table).append(": ").append(sum));
                out.put(k, sb.toString());
            });
            return out;
        });
    }
}
