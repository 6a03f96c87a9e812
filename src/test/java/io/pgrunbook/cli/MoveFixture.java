package io.pgrunbook.cli;

import io.pgrunbook.steps.shardset.JumpHash;
import io.pgrunbook.testsupport.TestPostgres;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Four shards plus an empty fifth: restaurants and their orders, keyed by restaurant_id, each on the
 * shard jump hash gives for 4 shards; order ids are globally unique (restaurant_id * 100 + n), as a
 * shard set's keys must be for rows to move between shards.
 */
final class MoveFixture {
    static final String SCHEMA = """
            CREATE TABLE restaurants (restaurant_id bigint PRIMARY KEY, name text NOT NULL, tags text[], opened date);
            CREATE TABLE orders (order_id bigint PRIMARY KEY, restaurant_id bigint NOT NULL REFERENCES restaurants,
                                 total numeric(10,2) NOT NULL, note jsonb);
            CREATE INDEX orders_restaurant ON orders (restaurant_id);
            """;
    final List<String> urls = new ArrayList<>();
    final List<String> databases = new ArrayList<>();

    static MoveFixture create(String prefix, int restaurants, int ordersEach) throws SQLException {
        MoveFixture f = new MoveFixture();
        for (int i = 0; i < 5; i++) {
            String url = TestPostgres.shared().createDatabase(prefix + "_s" + i);
            f.urls.add(url);
            f.databases.add(TestPostgres.databaseName(url));
            f.exec(i, SCHEMA);
        }
        for (int i = 0; i < 4; i++) {
            try (Connection c = f.connect(i)) {
                insertPlaced(c, i, 4, restaurants, ordersEach);
            }
        }
        return f;
    }

    Connection connect(int shard) throws SQLException {
        return DriverManager.getConnection(urls.get(shard));
    }

    void exec(int shard, String sql) throws SQLException {
        try (Connection c = connect(shard); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    long count(int shard, String sql) throws SQLException {
        try (Connection c = connect(shard); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** restaurant id -> (order id -> total), over every shard; fails on a restaurant or order found twice. */
    Map<Long, Map<Long, BigDecimal>> snapshot(List<String> problems) throws SQLException {
        Map<Long, Map<Long, BigDecimal>> out = new TreeMap<>();
        for (int i = 0; i < 5; i++) {
            try (Connection c = connect(i); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT restaurant_id FROM restaurants")) {
                    while (rs.next()) {
                        long r = rs.getLong(1);
                        if (out.put(r, new TreeMap<>()) != null) {
                            problems.add("restaurant " + r + " is on two shards");
                        }
                        if (JumpHash.bucket(r, 5) != i) {
                            problems.add("restaurant " + r + " is on shard" + i + ", jump hash over 5 says shard" + JumpHash.bucket(r, 5));
                        }
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT order_id, restaurant_id, total FROM orders")) {
                    while (rs.next()) {
                        long r = rs.getLong(2);
                        if (JumpHash.bucket(r, 5) != i) {
                            problems.add("order " + rs.getLong(1) + " is on shard" + i + ", its restaurant belongs on shard" + JumpHash.bucket(r, 5));
                        }
                        Map<Long, BigDecimal> orders = out.computeIfAbsent(r, k -> new TreeMap<>());
                        if (orders.put(rs.getLong(1), rs.getBigDecimal(3)) != null) {
                            problems.add("order " + rs.getLong(1) + " is there twice");
                        }
                    }
                }
            }
        }
        return out;
    }

    /** shard-move arguments: the four shards, the new one, the two tables. */
    List<String> args(String sub, String... more) {
        List<String> a = new ArrayList<>(List.of("shard-move", sub));
        for (int i = 0; i < 4; i++) {
            a.add("--shard");
            a.add("shard" + i + "=" + urls.get(i));
        }
        a.add("--new-shard");
        a.add("shard4=" + urls.get(4));
        a.addAll(List.of("--table", "restaurants=restaurant_id", "--table", "orders=restaurant_id"));
        a.addAll(List.of(more));
        return a;
    }

    static void insertPlaced(Connection c, int shard, int count, long restaurants, int ordersEach) throws SQLException {
        List<Long> mine = new ArrayList<>();
        for (long r = 1; r <= restaurants; r++) {
            if (JumpHash.bucket(r, count) == shard) {
                mine.add(r);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO restaurants SELECT r, 'r' || r, ARRAY['a', 'b ' || r], "
                + "date '2020-01-01' + (r % 365)::int FROM unnest(?::bigint[]) r");
             PreparedStatement os = c.prepareStatement("INSERT INTO orders SELECT r * 100 + g, r, (r * 7 + g) / 10.0, "
                     + "jsonb_build_object('g', g) FROM unnest(?::bigint[]) r, generate_series(1, ?) g")) {
            java.sql.Array ids = c.createArrayOf("bigint", mine.toArray());
            ps.setArray(1, ids);
            ps.executeUpdate();
            os.setArray(1, ids);
            os.setInt(2, ordersEach);
            os.executeUpdate();
        }
    }
}
