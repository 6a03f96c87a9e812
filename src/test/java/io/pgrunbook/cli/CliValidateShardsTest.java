package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.steps.shardset.JumpHash;
import io.pgrunbook.steps.shardset.ShardFixture;
import io.pgrunbook.testsupport.TestPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** validate-shards against shard sets made of real databases: healthy, then each broken layout. */
@ExtendWith(TestPostgres.class)
class CliValidateShardsTest {

    private static CliRun validate(ShardFixture f, String... more) {
        List<String> args = new ArrayList<>(List.of("validate-shards", "--no-color"));
        args.addAll(f.shardArgs());
        args.addAll(List.of("--table", "restaurants=restaurant_id", "--table", "orders=restaurant_id"));
        args.addAll(List.of(more));
        return CliRun.run(args.toArray(String[]::new));
    }

    /** A restaurant whose rows jump hash puts on the given shard of n. */
    private static long restaurantOn(int shard, int n) {
        for (long r = 1; ; r++) {
            if (JumpHash.bucket(r, n) == shard) {
                return r;
            }
        }
    }

    @Test
    void aHealthyShardSetPasses() throws Exception {
        ShardFixture f = ShardFixture.create("vs_ok", 3, 3, 60);
        CliRun r = validate(f);
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out).contains("shard-health", "schema-parity", "routing", "HEALTHY");
    }

    @Test
    void aMisplacedRestaurantIsNamedWithItsShardAndTable() throws Exception {
        ShardFixture f = ShardFixture.create("vs_misplaced", 3, 3, 60);
        long r0 = restaurantOn(0, 3);
        f.move(r0, 0, 2);
        CliRun r = validate(f);
        assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
        assertThat(r.out).contains("orders: 3 of", "rows examined on shard2 hash to another shard (shard0: 3)", "e.g. keys " + r0);
        assertThat(r.out).contains("restaurants: 1 of");
    }

    @Test
    void aRestaurantOnTwoShardsIsNamedOnBoth() throws Exception {
        ShardFixture f = ShardFixture.create("vs_dup", 3, 3, 60);
        long r1 = restaurantOn(1, 3);
        f.insert(0, r1);
        CliRun r = validate(f);
        assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
        assertThat(r.out).contains("keys on shard1 are also on another shard, e.g. " + r1 + " (also on shard0)");
        assertThat(r.out).contains("hash to another shard (shard1: 3)");
    }

    @Test
    void aSchemaDifferenceIsListed() throws Exception {
        ShardFixture f = ShardFixture.create("vs_schema", 3, 3, 30);
        f.exec(1, "ALTER TABLE orders ADD COLUMN coupon text; DROP INDEX orders_restaurant");
        CliRun r = validate(f);
        assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
        assertThat(r.out).contains("shard1 differs from the schema most shards share",
                "only on shard1: column orders.coupon text", "missing on shard1: index CREATE INDEX orders_restaurant");
        assertThat(r.out).contains("shard0 matches the schema most shards share");
    }

    @Test
    void aWrongShardCountIsDiagnosed() throws Exception {
        // The data was routed over 3 shards; the map says 4 (a shard added, rows never moved).
        ShardFixture f = ShardFixture.create("vs_count", 4, 3, 120);
        CliRun r = validate(f);
        assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
        assertThat(r.out).contains("every examined row would be in place with 3 shards, not 4", "hash to another shard (shard3: ");
        assertThat(r.out).contains("no rows on shard3 in restaurants, orders: a shard the router never uses");
    }

    @Test
    void textKeysHashAsTheRouterSays() throws Exception {
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            urls.add(TestPostgres.shared().createDatabase("vs_text_s" + i));
        }
        for (int i = 0; i < 2; i++) {
            try (var c = java.sql.DriverManager.getConnection(urls.get(i)); var s = c.createStatement()) {
                s.execute("CREATE TABLE users (email text PRIMARY KEY)");
            }
        }
        for (int u = 0; u < 40; u++) {
            String email = "user" + u + "@example.com";
            int shard = JumpHash.bucket(io.pgrunbook.steps.shardset.KeyHash.XXHASH64.ofText(email), 2);
            try (var c = java.sql.DriverManager.getConnection(urls.get(shard)); var ps = c.prepareStatement("INSERT INTO users VALUES (?)")) {
                ps.setString(1, email);
                ps.executeUpdate();
            }
        }
        String[] base = {"validate-shards", "--no-color", "--shard", "a=" + urls.get(0), "--shard", "b=" + urls.get(1), "--table", "users=email"};
        CliRun xx = CliRun.run(concat(base, "--hash", "xxhash64"));
        assertThat(xx.exitCode).as(xx.toString()).isZero();
        CliRun fnv = CliRun.run(concat(base, "--hash", "fnv1a64"));
        assertThat(fnv.exitCode).as("the wrong hash makes rows look misplaced: " + fnv).isEqualTo(1);
        CliRun integer = CliRun.run(concat(base, "--hash", "integer"));
        assertThat(integer.exitCode).isEqualTo(1);
        assertThat(integer.out).contains("users.email on a is text, but hash: integer takes smallint, integer or bigint keys");
    }

    @Test
    void aDeadShardErrorsAndTheOthersAreStillChecked() throws Exception {
        ShardFixture f = ShardFixture.create("vs_dead", 3, 3, 60);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> args = new ArrayList<>(List.of("validate-shards", "--no-color", "--format", "json",
                "--shard", "shard0=" + f.urls.get(0), "--shard", "shard1=postgresql://postgres@127.0.0.1:" + port + "/postgres",
                "--shard", "shard2=" + f.urls.get(2), "--table", "orders=restaurant_id"));
        CliRun r = CliRun.run(args.toArray(String[]::new));
        assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out);
        for (var step : json.get("steps")) {
            for (var child : step.get("children")) {
                String target = child.get("target").asText();
                String status = child.get("status").asText();
                if (target.equals("shard1")) {
                    assertThat(status).as(step.get("id") + " on the dead shard").isEqualToIgnoringCase("ERROR");
                    assertThat(child.get("message").asText()).contains("target 'shard1' is unavailable");
                } else if (step.get("id").asText().equals("routing") || step.get("id").asText().equals("schema-parity")) {
                    assertThat(status).as(step.get("id") + " on " + target + ": " + child).isEqualToIgnoringCase("WARN");
                    assertThat(child.get("message").asText()).contains("shard1");
                } else {
                    assertThat(status).as(step.get("id") + " on " + target).isEqualToIgnoringCase("PASS");
                }
            }
        }
    }

    @Test
    void healthDiskAndReplicationStepsJudgeEachShard(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        ShardFixture f = ShardFixture.create("vs_runbook", 2, 2, 10);
        java.nio.file.Path file = dir.resolve("shards.yaml");
        java.nio.file.Files.writeString(file, """
                name: shard-ops
                targets: { s0: "", s1: "", s0_replica: "" }
                steps:
                  - id: failing-probes
                    type: shardset.health
                    targets: [s0, s1]
                    sql: SELECT 1 / 0
                    with: { probes: 3 }
                  - id: slow-probes
                    type: shardset.health
                    targets: [s0]
                    sql: SELECT pg_sleep(0.05)
                    with: { probes: 2, degraded_latency: 10ms, unhealthy_latency: 10s }
                  - id: disk
                    type: shardset.disk
                    targets: [s0, s1]
                    with: { capacity: { s0: 1TB, s1: 1MB } }
                  - id: lag
                    type: shardset.replication
                    targets: [s0, s1]
                    with: { replicas: { s0: [s0_replica] } }
                """);
        CliRun r = CliRun.run("validate-shards", "--no-color", "--runbook", file.toString(), "--target", "s0=" + f.urls.get(0),
                "--target", "s1=" + f.urls.get(1), "--target", "s0_replica=" + f.urls.get(1));
        assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
        assertThat(r.out).contains("s0 is UNHEALTHY", "3 failed (100%)", "division by zero");
        assertThat(r.out).contains("s0 is DEGRADED");
        assertThat(r.out).contains("s0 uses", "of 1.0 TB", "s1 uses", "above 85.0 %");
        assertThat(r.out).contains("s0_replica not a replica: pg_is_in_recovery() is false", "no replicas listed for s1");
    }

    @Test
    void aHungShardCostsItsConnectTimeoutOnce() throws Exception {
        ShardFixture f = ShardFixture.create("vs_hung", 3, 4, 40);
        try (io.pgrunbook.steps.shardset.SilentListener hung = new io.pgrunbook.steps.shardset.SilentListener()) {
            long began = System.nanoTime();
            CliRun r = CliRun.run("validate-shards", "--no-color", "--shard", "shard0=" + f.urls.get(0), "--shard", "shard1=" + f.urls.get(1),
                    "--shard", "shard2=" + f.urls.get(2),
                    "--shard", "shard3=postgresql://postgres@127.0.0.1:" + hung.port() + "/postgres?connect_timeout=2",
                    "--table", "orders=restaurant_id");
            long millis = (System.nanoTime() - began) / 1_000_000;
            assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
            assertThat(r.out).contains("target 'shard3' is unavailable", "duplicates not checked on shard3");
            assertThat(millis).as("connect_timeout=2 bounds the whole login, once for all steps: " + r).isLessThan(9_000);
        }
    }

    @Test
    void badInputIsRefusedClearly() {
        CliRun noTable = CliRun.run("validate-shards", "--shard", "a=postgresql://x@127.0.0.1/db");
        assertThat(noTable.exitCode).isEqualTo(2);
        assertThat(noTable.err).contains("--table TABLE=KEY_COLUMN").doesNotContain("Exception");
        CliRun badTable = CliRun.run("validate-shards", "--shard", "a=postgresql://x@127.0.0.1/db", "--table", "orders");
        assertThat(badTable.exitCode).isEqualTo(2);
        assertThat(badTable.err).contains("give TABLE=KEY_COLUMN");
        CliRun badHash = CliRun.run("validate-shards", "--shard", "a=postgresql://x@127.0.0.1/db", "--table", "o=k", "--hash", "fnv");
        assertThat(badHash.exitCode).isEqualTo(2);
        assertThat(badHash.err).contains("not a known key hash", "fnv1a64");
        // A password on the command line is the user's to give (as with --db); it never appears in any output.
        CliRun password = CliRun.run("validate-shards", "--no-color", "--shard", "a=postgresql://x:s3cret@127.0.0.1:1/db", "--table", "o=k",
                "--format", "json");
        assertThat(password.exitCode).as(password.toString()).isEqualTo(3);
        assertThat(password.all()).doesNotContain("s3cret").doesNotContain("password in the runbook").contains("127.0.0.1:1");
        CliRun nothing = CliRun.run("validate-shards");
        assertThat(nothing.exitCode).isEqualTo(2);
        assertThat(nothing.err).contains("--shard NAME=CONNECTION");
    }

    @Test
    void citusModeNeedsItsShippedRunbook() {
        CliRun r = CliRun.run("validate-shards", "--citus", "--db", "postgresql://x@127.0.0.1/db");
        if (getClass().getResource("/runbooks/validate-shards-citus.yaml") == null) {
            assertThat(r.exitCode).as(r.toString()).isEqualTo(3);
            assertThat(r.err).contains("runbooks/validate-shards-citus.yaml", "is not part of this build");
        } else {
            assertThat(r.exitCode).as("the Citus runbook is shipped: --citus runs it (here against no server)").isNotEqualTo(2);
        }
        CliRun noDb = CliRun.run("validate-shards", "--citus");
        assertThat(noDb.exitCode).isEqualTo(2);
        assertThat(noDb.err).contains("--citus needs the coordinator");
    }

    private static String[] concat(String[] a, String... b) {
        List<String> l = new ArrayList<>(List.of(a));
        l.addAll(List.of(b));
        return l.toArray(String[]::new);
    }
}
