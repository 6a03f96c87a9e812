package io.pgrunbook.steps.shardset;

import io.pgrunbook.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A shard set made of databases on the test server: restaurants and orders keyed by restaurant_id,
 * each restaurant's rows on the shard jump hash gives for {@code placedWith} shards.
 */
public final class ShardFixture {
    public static final String SCHEMA = """
            CREATE TABLE restaurants (restaurant_id bigint PRIMARY KEY, name text NOT NULL);
            CREATE TABLE orders (order_id bigserial PRIMARY KEY, restaurant_id bigint NOT NULL REFERENCES restaurants,
                                 total numeric(10,2) NOT NULL);
            CREATE INDEX orders_restaurant ON orders (restaurant_id);
            """;
    public final List<String> urls = new ArrayList<>();

    private ShardFixture() {}

    /** {@code shards} databases; restaurants 1..{@code restaurants} placed as jump hash over {@code placedWith} shards. */
    public static ShardFixture create(String prefix, int shards, int placedWith, int restaurants) throws SQLException {
        ShardFixture f = new ShardFixture();
        for (int i = 0; i < shards; i++) {
            String url = TestPostgres.shared().createDatabase(prefix + "_s" + i);
            f.urls.add(url);
            f.exec(i, SCHEMA);
        }
        List<List<Long>> byShard = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            byShard.add(new ArrayList<>());
        }
        for (long r = 1; r <= restaurants; r++) {
            int b = JumpHash.bucket(r, placedWith);
            if (b < shards) { // the rest belong on a shard the fixture does not hold (a dead one)
                byShard.get(b).add(r);
            }
        }
        for (int i = 0; i < shards; i++) {
            f.insert(i, byShard.get(i).toArray(Long[]::new));
        }
        return f;
    }

    /** Each restaurant with three orders. */
    public void insert(int shard, Long... restaurants) throws SQLException {
        try (Connection c = DriverManager.getConnection(urls.get(shard));
             PreparedStatement r = c.prepareStatement("INSERT INTO restaurants SELECT id, 'r' || id FROM unnest(?::bigint[]) id");
             PreparedStatement o = c.prepareStatement(
                     "INSERT INTO orders (restaurant_id, total) SELECT id, g FROM unnest(?::bigint[]) id, generate_series(1, 3) g")) {
            java.sql.Array ids = c.createArrayOf("bigint", restaurants);
            r.setArray(1, ids);
            r.executeUpdate();
            o.setArray(1, ids);
            o.executeUpdate();
        }
    }

    public void exec(int shard, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(urls.get(shard)); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Moves a restaurant's rows from the shard they belong on to another. */
    public void move(long restaurant, int from, int to) throws SQLException {
        exec(from, "DELETE FROM orders WHERE restaurant_id = " + restaurant + "; DELETE FROM restaurants WHERE restaurant_id = " + restaurant);
        insert(to, (Long) restaurant);
    }

    /** --shard arguments: shardN=URL in index order. */
    public List<String> shardArgs() {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < urls.size(); i++) {
            args.add("--shard");
            args.add("shard" + i + "=" + urls.get(i));
        }
        return args;
    }
}
