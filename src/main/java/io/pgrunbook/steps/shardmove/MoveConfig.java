package io.pgrunbook.steps.shardmove;

import io.pgrunbook.runbook.load.Durations;
import io.pgrunbook.steps.shardset.JumpHash;
import io.pgrunbook.steps.shardset.KeyHash;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One move as the step's parameters give it: the existing shards in index order (N of them), the new
 * shard (index N), and the sharded tables parent first, as
 * validate-shards takes them (rows are inserted in this order and deleted in its reverse).
 */
record MoveConfig(List<String> shards, String newShard, Map<String, String> tables, KeyHash hash,
                  int batchSize, Duration pause, Duration grace, String mapFile) {
    static final int DEFAULT_BATCH_SIZE = 5000;

    static MoveConfig from(Map<String, Object> with) {
        Map<String, String> tables = new LinkedHashMap<>();
        if (with.get(MoveStepBase.TABLES) instanceof Map<?, ?> m) {
            m.forEach((k, v) -> tables.put(String.valueOf(k), String.valueOf(v)));
        }
        List<String> shards = with.get(MoveStepBase.SHARDS) instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
        Object hash = with.get(MoveStepBase.HASH);
        return new MoveConfig(
                shards,
                String.valueOf(with.get(MoveStepBase.NEW_SHARD)),
                tables,
                hash == null ? KeyHash.INTEGER : KeyHash.parse(String.valueOf(hash)).orElse(KeyHash.INTEGER),
                with.get(MoveStepBase.BATCH_SIZE) instanceof Number n ? n.intValue() : DEFAULT_BATCH_SIZE,
                duration(with.get(MoveStepBase.PAUSE)),
                duration(with.get(MoveStepBase.GRACE)),
                with.get(MoveStepBase.MAP_FILE) == null || String.valueOf(with.get(MoveStepBase.MAP_FILE)).isBlank()
                        ? null : String.valueOf(with.get(MoveStepBase.MAP_FILE)));
    }

    private static Duration duration(Object v) {
        if (v instanceof Duration d) {
            return d;
        }
        return v == null ? Duration.ZERO : Durations.parse(String.valueOf(v)).orElse(Duration.ZERO);
    }

    /** N: the shard count before the move. */
    int oldCount() {
        return shards.size();
    }

    /** The 64-bit value the router gives jump hash for a key, from the key's text form. */
    long hashValue(String key) {
        return hash == KeyHash.INTEGER ? Long.parseLong(key) : hash.ofText(key);
    }

    /** The shard index a key belongs on with N shards. */
    int homeNow(String key) {
        return JumpHash.bucket(hashValue(key), oldCount());
    }

    /** Whether the key's jump hash changes from N to N+1 shards: then, and only then, it moves (to shard N). */
    boolean moves(String key) {
        return JumpHash.bucket(hashValue(key), oldCount() + 1) == oldCount();
    }

    /** Tables in the order rows are deleted: children first. */
    List<String> deleteOrder() {
        List<String> order = new java.util.ArrayList<>(tables.keySet());
        java.util.Collections.reverse(order);
        return order;
    }

    /** What identifies the move in the state table, so a resume refuses a different shard map. */
    String signature() {
        return "shards=" + String.join(",", shards) + ";new=" + newShard + ";tables=" + tables + ";hash=" + hash.keyword();
    }
}
