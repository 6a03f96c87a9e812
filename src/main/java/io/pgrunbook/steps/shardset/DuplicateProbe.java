package io.pgrunbook.steps.shardset;

import io.pgrunbook.db.SqlStates;
import io.pgrunbook.engine.StepContext;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which of one shard's keys also exist on another shard. The keys travel as one text[] bind
 * parameter per batch, cast on the server to the key column's type so the key's index is used.
 */
final class DuplicateProbe {
    private static final String FIND = "SELECT DISTINCT %1$s::text FROM %2$s WHERE %1$s = ANY(CAST(? AS text[])::%3$s[])";
    private static final int BATCH = 10_000;

    /** Keys found per other shard, and the shards that could not be asked, with why. */
    record Found(Map<String, Set<String>> byShard, Map<String, String> unchecked) {
        int distinctKeys() {
            Set<String> all = new TreeSet<>();
            byShard.values().forEach(all::addAll);
            return all.size();
        }
    }

    private DuplicateProbe() {}

    static Found find(StepContext context, List<String> shards, ShardTable table, Set<Object> keys) {
        Map<String, Set<String>> byShard = new LinkedHashMap<>();
        Map<String, String> unchecked = new LinkedHashMap<>();
        if (keys.isEmpty()) {
            return new Found(byShard, unchecked);
        }
        List<String> texts = keys.stream().map(String::valueOf).toList();
        String sql = String.format(FIND, table.column(), table.relation(), table.columnType());
        for (String other : shards) {
            if (other.equals(context.targetName())) {
                continue;
            }
            StepContext there;
            try {
                there = context.onTarget(other);
            } catch (IllegalArgumentException e) {
                unchecked.put(other, "unreachable (see its own result)");
                continue;
            }
            try {
                Set<String> found = new TreeSet<>();
                for (int from = 0; from < texts.size(); from += BATCH) {
                    List<String> batch = texts.subList(from, Math.min(texts.size(), from + BATCH));
                    found.addAll(there.inTransaction(true, c -> {
                        List<String> out = new ArrayList<>();
                        try (PreparedStatement ps = c.prepareStatement(sql)) {
                            Array array = c.createArrayOf("text", batch.toArray());
                            ps.setArray(1, array);
                            try (ResultSet rs = ps.executeQuery()) {
                                while (rs.next()) {
                                    out.add(rs.getString(1));
                                }
                            }
                        }
                        return out;
                    }));
                }
                if (!found.isEmpty()) {
                    byShard.put(other, found);
                }
            } catch (SQLException e) {
                unchecked.put(other, SqlStates.describe(e));
            }
        }
        return new Found(byShard, unchecked);
    }
}
