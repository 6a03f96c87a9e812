package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.testsupport.TestPostgres;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** shard-move on sandbox databases as shards: 4 grown to 5 while an application writes. */
@ExtendWith(TestPostgres.class)
class ShardMoveCommandTest {
    @TempDir
    Path dir;

    @Test
    void growsFourShardsToFiveWhileTheApplicationWrites() throws Exception {
        MoveFixture f = MoveFixture.create("mv_live", 400, 3);
        Map<Long, Map<Long, BigDecimal>> before = f.snapshot(new ArrayList<>());

        CliRun plan = CliRun.run(f.args("plan").toArray(String[]::new));
        assertThat(plan.exitCode).as(plan.toString()).isZero();
        assertThat(plan.out).contains("PASS  precondition: schema identical", "PASS  precondition: new shard holds no rows",
                "PASS  precondition: shard map matches the data", "move shard0 -> shard4: keys ");

        MoveWriter writer = new MoveWriter(f, before);
        Thread t = new Thread(writer, "writer");
        t.start();
        Thread.sleep(300);
        Path map = dir.resolve("shards.json");
        CliRun run = CliRun.run(f.args("run", "--yes", "--batch-size", "40", "--pause", "30ms", "--grace", "1s",
                "--map-file", map.toString()).toArray(String[]::new));
        Thread.sleep(300);
        writer.stop = true;
        t.join(10_000);
        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(writer.errors).isEmpty();
        assertThat(writer.ops).as("the writer kept writing").isGreaterThan(50);
        assertThat(run.out).contains("copy", "catch-up", "verify", "cutover", "grace", "cleanup");

        List<String> problems = new ArrayList<>();
        Map<Long, Map<Long, BigDecimal>> after = f.snapshot(problems);
        assertThat(problems).as("every row on the shard jump hash gives for 5 shards, none twice").isEmpty();
        assertThat(after).as("every row and every change the writer made, nothing else").isEqualTo(writer.expected);
        assertThat(f.count(4, "SELECT count(*) FROM restaurants")).isPositive();
        assertThat(Files.readString(map)).contains("\"shard_count\": 5", "\"shard4\"");
        for (int i = 0; i < 4; i++) {
            assertThat(f.count(i, "SELECT count(*) FROM pg_trigger WHERE tgname = 'pgrunbook_shard_move'")).isZero();
            assertThat(f.count(i, "SELECT count(*) FROM pg_class WHERE relname = 'shard_move_log'")).isZero();
        }

        List<String> validate = new ArrayList<>(List.of("validate-shards", "--full"));
        for (int i = 0; i < 5; i++) {
            validate.addAll(List.of("--shard", "shard" + i + "=" + f.urls.get(i)));
        }
        validate.addAll(List.of("--table", "restaurants=restaurant_id", "--table", "orders=restaurant_id"));
        CliRun v = CliRun.run(validate.toArray(String[]::new));
        assertThat(v.exitCode).as(v.toString()).isZero();

        CliRun status = CliRun.run(f.args("status").toArray(String[]::new));
        assertThat(status.exitCode).as(status.toString()).isZero();
        assertThat(status.out).contains("done");
    }

    @Test
    void theShippedRunbookMovesAndChecksBeforeAndAfter() throws Exception {
        MoveFixture f = MoveFixture.create("mv_book", 150, 2);
        Map<Long, Map<Long, BigDecimal>> before = f.snapshot(new ArrayList<>());
        List<String> a = new ArrayList<>(List.of("run", "runbooks/shard-move.yaml", "--set", "grace=0s", "--set", "batch_size=25", "--yes"));
        for (int i = 0; i < 5; i++) {
            a.addAll(List.of("--target", "shard" + i + "=" + f.urls.get(i)));
        }
        CliRun run = CliRun.run(a.toArray(String[]::new));
        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.out).contains("PASS   plan", "PASS   move", "PASS   routing-after", "6 steps: 6 passed");
        List<String> problems = new ArrayList<>();
        assertThat(f.snapshot(problems)).isEqualTo(before);
        assertThat(problems).isEmpty();
    }

    @Test
    void movesTextKeysHashedAsTheRouterDoes() throws Exception {
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            urls.add(TestPostgres.shared().createDatabase("mv_text_s" + i));
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(urls.get(i)); java.sql.Statement st = c.createStatement()) {
                st.execute("CREATE TABLE users (email varchar(100) PRIMARY KEY, name text NOT NULL)");
            }
        }
        for (int u = 0; u < 300; u++) {
            String email = "user" + u + "@example.com";
            int shard = io.pgrunbook.steps.shardset.JumpHash.bucket(io.pgrunbook.steps.shardset.KeyHash.FNV1A64.ofText(email), 4);
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(urls.get(shard));
                 java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO users VALUES (?, ?)")) {
                ps.setString(1, email);
                ps.setString(2, "name " + u);
                ps.executeUpdate();
            }
        }
        List<String> a = new ArrayList<>(List.of("shard-move", "run", "--yes", "--hash", "fnv1a64", "--table", "users=email",
                "--new-shard", urls.get(4), "--batch-size", "7"));
        for (int i = 0; i < 4; i++) {
            a.addAll(List.of("--shard", "shard" + i + "=" + urls.get(i)));
        }
        CliRun run = CliRun.run(a.toArray(String[]::new));
        assertThat(run.exitCode).as(run.toString()).isZero();
        int total = 0;
        for (int i = 0; i < 5; i++) {
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(urls.get(i)); java.sql.Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT email FROM users")) {
                while (rs.next()) {
                    total++;
                    assertThat(io.pgrunbook.steps.shardset.JumpHash.bucket(
                            io.pgrunbook.steps.shardset.KeyHash.FNV1A64.ofText(rs.getString(1)), 5)).as(rs.getString(1)).isEqualTo(i);
                }
            }
        }
        assertThat(total).isEqualTo(300);
    }
}
