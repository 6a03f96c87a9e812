package io.pgrunbook.steps.shardmove;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.steps.shardset.ShardTable;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** Deletes moved keys' rows from a source shard, children first, one transaction per batch of keys. */
final class SourceCleanup {
    private SourceCleanup() {}

    /** @return rows deleted */
    static long delete(StepContext source, Map<String, ShardTable> tables, MoveConfig config, List<String> keys) throws SQLException {
        return Tx.write(source, c -> {
            // These keys are frozen: the capture trigger refuses writes to them, except this session's own.
            ShardMover.bypassTriggers(c);
            long deleted = 0;
            for (String table : config.deleteOrder()) {
                try (PreparedStatement ps = c.prepareStatement(MoveSql.deleteKeys(tables.get(table)))) {
                    ps.setArray(1, c.createArrayOf("text", keys.toArray()));
                    deleted += ps.executeUpdate();
                }
            }
            return deleted;
        });
    }
}
