package io.pgrunbook.cli;

import io.pgrunbook.steps.shardset.JumpHash;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The application while the move runs: inserts restaurants and orders, updates totals, deletes
 * restaurants, each on the shard its map says, and keeps its own record of what it wrote. It reads
 * the shard map from pgrunbook.shard_map on shard0; a write refused because its key is frozen
 * (SQLSTATE 55000, the cutover) waits for the new map and is retried there.
 */
final class MoveWriter implements Runnable {
    final Map<Long, Map<Long, BigDecimal>> expected;
    final List<String> errors = new ArrayList<>();
    volatile boolean stop;
    int ops;
    int refused;
    private final MoveFixture f;
    private final Random random = new Random(42);
    private long nextRestaurant = 100_000;
    private int mapCount = 4;

    MoveWriter(MoveFixture f, Map<Long, Map<Long, BigDecimal>> start) {
        this.f = f;
        this.expected = new TreeMap<>(start);
    }

    @Override
    public void run() {
        List<Connection> shards = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                shards.add(f.connect(i));
            }
            while (!stop) {
                op(shards);
                ops++;
                Thread.sleep(2);
            }
        } catch (Exception e) {
            errors.add(e.toString());
        } finally {
            for (Connection c : shards) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // closing
                }
            }
        }
    }

    private void op(List<Connection> shards) throws SQLException, InterruptedException {
        int kind = random.nextInt(10);
        List<Long> known = new ArrayList<>(expected.keySet());
        long r = kind < 4 || known.isEmpty() ? nextRestaurant++ : known.get(random.nextInt(known.size()));
        for (int attempt = 0; ; attempt++) {
            reloadMap(shards.get(0));
            Connection c = shards.get(JumpHash.bucket(r, mapCount));
            try {
                c.setAutoCommit(false);
                if (kind < 4) {
                    exec(c, "INSERT INTO restaurants VALUES (?, 'new', NULL, NULL)", r);
                    exec(c, "INSERT INTO orders VALUES (? * 100 + 1, ?, 1.50, NULL)", r, r);
                    exec(c, "INSERT INTO orders VALUES (? * 100 + 2, ?, 2.50, '{\"new\": true}')", r, r);
                    c.commit();
                    Map<Long, BigDecimal> o = new TreeMap<>();
                    o.put(r * 100 + 1, new BigDecimal("1.50"));
                    o.put(r * 100 + 2, new BigDecimal("2.50"));
                    expected.put(r, o);
                } else if (kind < 8) {
                    Map<Long, BigDecimal> o = expected.get(r);
                    if (o.isEmpty()) {
                        c.commit();
                        return;
                    }
                    List<Long> ids = new ArrayList<>(o.keySet());
                    long order = ids.get(random.nextInt(ids.size()));
                    exec(c, "UPDATE orders SET total = total + 1 WHERE order_id = ?", order);
                    c.commit();
                    o.put(order, o.get(order).add(BigDecimal.ONE));
                } else if (kind < 9) {
                    Map<Long, BigDecimal> o = expected.get(r);
                    long order = r * 100 + 50 + o.size();
                    exec(c, "INSERT INTO orders VALUES (?, ?, 9.99, NULL)", order, r);
                    c.commit();
                    o.put(order, new BigDecimal("9.99"));
                } else {
                    exec(c, "DELETE FROM orders WHERE restaurant_id = ?", r);
                    exec(c, "DELETE FROM restaurants WHERE restaurant_id = ?", r);
                    c.commit();
                    expected.remove(r);
                }
                return;
            } catch (SQLException e) {
                c.rollback();
                if (!"55000".equals(e.getSQLState()) || attempt > 5000) {
                    throw e;
                }
                refused++;
                Thread.sleep(5);
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private void reloadMap(Connection shard0) throws SQLException {
        try (Statement st = shard0.createStatement();
             ResultSet rs = st.executeQuery("SELECT to_regclass('pgrunbook.shard_map') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return;
            }
        }
        try (Statement st = shard0.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(max(shard_count), 4) FROM pgrunbook.shard_map")) {
            rs.next();
            mapCount = rs.getInt(1);
        }
    }

    private static void exec(Connection c, String sql, long... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setLong(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }
}
