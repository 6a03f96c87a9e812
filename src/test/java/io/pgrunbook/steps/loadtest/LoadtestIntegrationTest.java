package io.pgrunbook.steps.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.engine.Engine;
import io.pgrunbook.engine.RunOptions;
import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.load.RunbookLoader;
import io.pgrunbook.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Short runs (1 to 2 s) against the real sandbox. */
@ExtendWith(TestPostgres.class)
class LoadtestIntegrationTest {

    private static LoadResult run(String jdbcUrl, Map<String, Object> with) throws Exception {
        Scenario s = ScenarioParser.parse(with);
        return new LoadRunner(s, () -> DriverManager.getConnection(jdbcUrl), () -> false).run();
    }

    @Test
    void aStallShowsInTheLatencyOfTheStartsQueuedBehindItAndMissedStartsAreCounted() throws Exception {
        String url = TestPostgres.shared().createDatabase("loadtest_stall");
        LoadResult r = run(url, Map.of("seed", 3,
                "operations", Map.of(
                        "slow", Map.of("weight", 10, "sql", "SELECT pg_sleep(0.3)"),
                        "fast", Map.of("weight", 90, "sql", "SELECT 1")),
                "workload", Map.of("rate", "40/s", "arrivals", "uniform", "connections", 1, "duration", "2s", "max_backlog", 4)));
        OpTally fast = r.operations().get("fast");
        assertThat(fast.ok).isGreaterThan(5);
        // SELECT 1 takes well under a millisecond; its p99 carries the 300 ms it waited behind pg_sleep
        assertThat(fast.latency.getValueAtPercentile(99)).isGreaterThan(100_000L);
        assertThat(fast.latency.getValueAtPercentile(10)).isLessThan(50_000L);
        assertThat(r.missedStarts()).isPositive();
        assertThat(r.scheduled()).isBetween(70L, 90L);
        assertThat(r.abortReason()).isNull();
    }

    @Test
    void aQuotaErrorListedAsExpectedIsNotAFailureButOthersAre() throws Exception {
        String url = TestPostgres.shared().createDatabase("loadtest_quota");
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE kv (k bigint PRIMARY KEY, v int)");
            st.execute("CREATE FUNCTION quota() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.v > 5 THEN "
                    + "RAISE EXCEPTION USING ERRCODE = '53400', MESSAGE = 'quota exceeded'; END IF; RETURN NEW; END $$");
            st.execute("CREATE TRIGGER kv_quota BEFORE INSERT ON kv FOR EACH ROW EXECUTE FUNCTION quota()");
        }
        LoadResult r = run(url, Map.of(
                "operations", Map.of(
                        "put", Map.of("class", "write", "weight", 90, "sql", "INSERT INTO kv VALUES (:k, :v)",
                                "params", Map.of("k", Map.of("sequence", Map.of()), "v", Map.of("uniform", Map.of("min", 1, "max", 10))),
                                "expect_errors", List.of(Map.of("sqlstate", "53400"))),
                        "dup", Map.of("class", "write", "weight", 10, "sql", "INSERT INTO kv VALUES (-1, 1) ON CONFLICT DO NOTHING; SELECT 1/(:z - :z)",
                                "params", Map.of("z", 1))),
                "workload", Map.of("model", "closed", "connections", 2, "duration", "1s")));
        OpTally put = r.operations().get("put");
        assertThat(put.expectedErrors).isPositive();
        assertThat(put.expectedByState).containsOnlyKeys("53400");
        assertThat(put.errors()).isZero();
        assertThat(put.ok).isPositive();
        // 22012 division by zero is not listed: an error (and failing every call, it stops the run)
        assertThat(r.operations().get("dup").errorsByState).containsKey("22012");
        assertThat(r.abortReason()).contains("'dup' failed on each of its first").contains("22012");
    }

    @Test
    void sloVerdictsAreStepStatusesWithOneEvidenceRowEach() throws Exception {
        String url = TestPostgres.shared().createDatabase("loadtest_slo");
        RunReport impossible = engineRun(url, "0ms");
        StepResult fail = impossible.steps().get(0);
        assertThat(fail.status()).isEqualTo(Status.FAIL);
        assertThat(impossible.exitCode().code()).isEqualTo(1);
        assertThat(fail.evidence().columns()).containsExactly("check", "expected", "observed", "verdict");
        assertThat(fail.evidence().rows().get(0)).contains("p95 reads", "FAIL");
        assertThat(fail.evidence().rows().get(1)).contains("deadlocks (40P01)", "PASS");
        assertThat(fail.metrics()).anyMatch(m -> m.name().equals("pgrunbook_loadtest_latency_seconds"));

        RunReport generous = engineRun(url, "10s");
        StepResult pass = generous.steps().get(0);
        assertThat(pass.status()).as(pass.message()).isEqualTo(Status.PASS);
        // plausible percentiles: a primary-key lookup on loopback, p50 <= p99 <= max, all under a second
        String latency = (String) pass.evidence().rows().stream().filter(row -> row.get(0).equals("latency get")).findFirst().orElseThrow().get(2);
        assertThat(latency).matches("n=\\d+ p50 [0-9.]+ ms p95 [0-9.]+ ms p99 [0-9.]+ ms p99.9 [0-9.]+ ms max [0-9.]+ ms");
        double p50 = Double.parseDouble(latency.replaceAll(".*p50 ([0-9.]+) ms.*", "$1"));
        double max = Double.parseDouble(latency.replaceAll(".*max ([0-9.]+) ms.*", "$1"));
        assertThat(p50).isLessThanOrEqualTo(max).isLessThan(1000.0);
    }

    private static RunReport engineRun(String url, String p95) {
        String yaml = """
                name: lt
                targets: { db: { url: "%s" } }
                steps:
                  - id: lt
                    type: loadtest
                    with:
                      data:
                        - { name: rows, rows: 200, skip_if: "SELECT EXISTS (SELECT 1 FROM kv)", sql: "INSERT INTO kv VALUES (:k, 'x')",
                            params: { k: { sequence: { start: 1 } } } }
                      operations:
                        get: { weight: 100, sql: "SELECT v FROM kv WHERE k = :k", params: { k: { zipfian: { n: 200 } } } }
                      workload: { rate: 200/s, connections: 2, duration: 1s, warmup: 200ms }
                      shard: { key: k, shards: 4 }
                      slos: { p95: { read: %s }, max_deadlocks: 0, max_shard_share: 1 }
                """.formatted(url, p95);
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS kv (k bigint PRIMARY KEY, v text)");
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        StepRegistry registry = StepRegistry.load();
        var runbook = new RunbookLoader(registry).parse(yaml, "lt.yaml", Map.of(), Map.of());
        return new Engine(registry).run(runbook, new RunOptions(false, Map.of(), Map.of()), new Cancellation());
    }
}
