package io.pgrunbook.steps.shardmove;

import io.pgrunbook.engine.StepContext;
import io.pgrunbook.error.PgRunbookException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The new shard map the application reads: a row in {@code pgrunbook.shard_map} on every shard (the
 * highest version is current) and, with {@code map_file}, a JSON file replaced atomically (written
 * beside it, then renamed). Shard names only: connections belong to the application's configuration.
 */
final class ShardMap {
    private ShardMap() {}

    /** @return where it was written, for the report */
    static String write(StepContext target, MoveConfig config) throws SQLException {
        List<String> shards = new ArrayList<>(config.shards());
        shards.add(config.newShard());
        for (String s : shards) {
            StepContext shard = target.onTarget(s);
            Tx.write(shard, c -> {
                try (Statement st = c.createStatement()) {
                    st.execute(MoveSql.MAP_SCHEMA);
                }
                try (PreparedStatement ps = c.prepareStatement(MoveSql.WRITE_MAP)) {
                    java.sql.Array names = c.createArrayOf("text", shards.toArray());
                    ps.setInt(1, shards.size());
                    ps.setArray(2, names);
                    ps.setString(3, config.hash().keyword());
                    ps.setArray(4, names);
                    ps.setString(5, config.hash().keyword());
                    ps.executeUpdate();
                }
                return null;
            });
        }
        String where = "pgrunbook.shard_map on every shard";
        if (config.mapFile() != null) {
            writeFile(Path.of(config.mapFile()), shards, config);
            where += " and " + config.mapFile();
        }
        return where;
    }

    static void writeFile(Path file, List<String> shards, MoveConfig config) {
        StringBuilder json = new StringBuilder("{\n  \"shard_count\": ").append(shards.size()).append(",\n  \"hash\": \"")
                .append(config.hash().keyword()).append("\",\n  \"algorithm\": \"jump\",\n  \"shards\": [");
        for (int i = 0; i < shards.size(); i++) {
            json.append(i == 0 ? "" : ", ").append('"').append(shards.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        json.append("],\n  \"written_at\": \"").append(Instant.now()).append("\"\n}\n");
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            Files.writeString(tmp, json, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw PgRunbookException.cannotRun("cannot write the shard map file " + file + ": " + e.getMessage()
                    + "; the map is in pgrunbook.shard_map on every shard; fix the path and rerun shard-move run");
        }
    }
}
