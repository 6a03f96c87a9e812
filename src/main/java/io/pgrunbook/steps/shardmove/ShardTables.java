package io.pgrunbook.steps.shardmove;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.steps.shardset.ShardTable;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The move's tables as one shard's catalog resolves and quotes them, parent first. */
final class ShardTables {
    private ShardTables() {}

    /**
     * @throws PgRunbookException when a table or its key column is missing on the shard (the schema
     *     check says so first in a plan; a run refuses)
     */
    static Map<String, ShardTable> resolve(StepContext shard, MoveConfig config) throws SQLException {
        Map<String, ShardTable> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> t : config.tables().entrySet()) {
            Optional<ShardTable> st = shard.inTransaction(true, c -> ShardTable.resolve(c, t.getKey(), t.getValue()));
            if (st.isEmpty() || !st.get().hasColumn()) {
                throw PgRunbookException.invalid((st.isEmpty() ? "table " + t.getKey() + " does not exist" : "table " + t.getKey()
                        + " has no column " + t.getValue()) + " on shard " + shard.targetName()
                        + ": every shard, the new one included, needs the same schema (create it on the new shard first)");
            }
            if (!config.hash().hashesText() && !st.get().integerKey()) {
                throw PgRunbookException.invalid(t.getKey() + "." + t.getValue() + " on " + shard.targetName() + " is " + st.get().columnType()
                        + ", but --hash integer takes smallint, integer or bigint keys; give the hash the application's router uses");
            }
            out.put(t.getKey(), st.get());
        }
        return out;
    }
}
