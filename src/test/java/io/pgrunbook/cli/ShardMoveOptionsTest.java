package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ShardMoveOptionsTest {
    private static ShardMoveOptions with(String newShard) {
        ShardMoveOptions o = new ShardMoveOptions();
        o.shards.put("a", "postgres://a/app");
        o.shards.put("b", "postgres://b/app");
        o.newShard = newShard;
        return o;
    }

    @Test
    void theNewShardIsNamedOrGetsTheNextIndexAsName() {
        assertThat(with("s9=postgres://db9/app").newShardName()).isEqualTo("s9");
        assertThat(with("s9=postgres://db9/app").newShardConnection()).isEqualTo("postgres://db9/app");
        assertThat(with("postgres://db9/app?connect_timeout=3").newShardName()).isEqualTo("shard2");
        assertThat(with("postgres://db9/app?connect_timeout=3").newShardConnection()).isEqualTo("postgres://db9/app?connect_timeout=3");
        assertThat(with("host=db9 dbname=app").newShardName()).as("a libpq string names no shard").isEqualTo("shard2");
        assertThat(with("host=db9 dbname=app").newShardConnection()).isEqualTo("host=db9 dbname=app");
    }
}
