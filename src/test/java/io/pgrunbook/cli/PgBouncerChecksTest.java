package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgrunbook.testsupport.PgBouncer;
import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The check.pgbouncer_* step types and runbooks/pgbouncer.yaml against a real PgBouncer, idle and with a queue. */
@ExtendWith(TestPostgres.class)
class PgBouncerChecksTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theShippedRunbookPassesOnAnIdleTransactionPool() throws Exception {
        try (PgBouncer bouncer = PgBouncer.start(TestPostgres.shared().sandbox(), "transaction", 4)) {
            CliRun r = CliRun.withEnv(env(bouncer), "run", "runbooks/pgbouncer.yaml", "--no-color");
            assertThat(r.exitCode).as(r.toString()).isZero();
            // A fresh pool's first clients wait for the server login: the average-wait step may warn, nothing fails.
            assertThat(r.out).contains("7 steps:", "0 failed, 0 errors", "PASS   query-through-pooler", "PASS   clients-waiting",
                    "PASS   pool-usage", "PASS   config-hazards", "PgBouncer 1.");
        }
    }

    @Test
    void aQueueBehindAnExhaustedPoolIsReportedWithWhoWaitsAndForHowLong() throws Exception {
        try (PgBouncer bouncer = PgBouncer.start(TestPostgres.shared().sandbox(), "transaction", 2)) {
            String jdbc = "jdbc:postgresql://127.0.0.1:" + bouncer.port() + "/postgres";
            Properties props = new Properties();
            props.setProperty("user", "postgres");
            props.setProperty("prepareThreshold", "0");
            List<Connection> holders = new ArrayList<>();
            CompletableFuture<Void> waiter = null;
            try {
                // Two open transactions hold both server connections of the pool; a third client queues.
                for (int i = 0; i < 2; i++) {
                    Connection c = DriverManager.getConnection(jdbc, props);
                    c.setAutoCommit(false);
                    try (Statement s = c.createStatement()) {
                        s.execute("SELECT 1");
                    }
                    holders.add(c);
                }
                // pgjdbc's connect itself runs SET application_name, so the connect is what queues.
                waiter = CompletableFuture.runAsync(() -> {
                    try (Connection queued = DriverManager.getConnection(jdbc, props); Statement s = queued.createStatement()) {
                        s.execute("SELECT 1");
                    } catch (Exception ignored) {
                        // ends when the holders let go
                    }
                });
                Thread.sleep(1500);
                Path runbook = Files.writeString(dir.resolve("queue.yaml"), """
                        name: queue
                        targets:
                          bouncer: "%s"
                        steps:
                          - { id: waiting, type: check.pgbouncer_waiting, target: bouncer }
                          - { id: maxwait, type: check.pgbouncer_maxwait, target: bouncer }
                          - { id: usage, type: check.pgbouncer_pool_usage, target: bouncer }
                          - { id: clients, type: check.pgbouncer_clients, target: bouncer }
                        """.formatted(bouncer.consoleUrl()));
                JsonNode report = runJson(Map.of(), runbook);
                JsonNode waiting = step(report, "waiting");
                assertThat(waiting.path("status").asText()).as(waiting.toString()).isEqualTo("warn");
                assertThat(waiting.toString()).contains("\"postgres\"", "cl_waiting");
                // The client has waited since before the run began: at least the 1 s warning, past 5 s on a slow machine.
                JsonNode maxwait = step(report, "maxwait");
                assertThat(maxwait.path("status").asText()).as(maxwait.toString()).isIn("warn", "fail");
                JsonNode usage = step(report, "usage");
                assertThat(usage.path("status").asText()).as(usage.toString()).isEqualTo("fail");
                assertThat(usage.toString()).contains("100");
                assertThat(step(report, "clients").path("status").asText()).isEqualTo("pass");
            } finally {
                for (Connection c : holders) {
                    c.close();
                }
                if (waiter != null) {
                    waiter.get(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    @Test
    void configurationHazardsAreNamedWithTheirFix() throws Exception {
        try (PgBouncer bouncer = PgBouncer.start(TestPostgres.shared().sandbox(), "statement", 500, "query_wait_timeout = 0")) {
            Path runbook = Files.writeString(dir.resolve("config.yaml"), """
                    name: config
                    targets:
                      bouncer: "%s"
                      server: "%s"
                    steps:
                      - { id: probe, sql: SELECT 1, target: server }
                      - { id: config, type: check.pgbouncer_config, target: bouncer, with: { server: server } }
                    """.formatted(bouncer.consoleUrl(), TestPostgres.shared().url()));
            // A pool exists only once a client used it: make one for the server's database.
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + bouncer.port() + "/postgres?user=postgres&prepareThreshold=0");
                 Statement s = c.createStatement()) {
                s.execute("SELECT 1");
            }
            JsonNode config = step(runJson(Map.of(), runbook), "config");
            assertThat(config.path("status").asText()).as(config.toString()).isEqualTo("warn");
            assertThat(config.toString()).contains("statement pooling", "use pool_mode = transaction",
                    "clients may wait for ever", "pools larger than the server", "max_db_connections");
        }
    }

    @Test
    void anUnreachableServerTargetIsNamedWithWhyNotAsAnInternalFailure() throws Exception {
        // Found running the shipped runbook with its default server URL: the step said
        // "step type 'check.pgbouncer_config' failed: java.lang.IllegalArgumentException: no open target 'server'".
        try (PgBouncer bouncer = PgBouncer.start(TestPostgres.shared().sandbox(), "transaction", 500)) {
            Path runbook = Files.writeString(dir.resolve("unreachable.yaml"), """
                    name: unreachable
                    targets:
                      bouncer: "%s"
                      server: "postgresql://postgres@127.0.0.1:1/postgres?connect_timeout=2"
                    steps:
                      - { id: config, type: check.pgbouncer_config, target: bouncer, with: { server: server } }
                    """.formatted(bouncer.consoleUrl()));
            JsonNode config = step(runJson(Map.of(), runbook), "config");
            assertThat(config.path("status").asText()).as(config.toString()).isEqualTo("error");
            assertThat(config.path("message").asText()).startsWith("target 'server' is unavailable: cannot connect to target 'server'")
                    .doesNotContain("Exception");
        }
    }

    @Test
    void aCheckPointedAtTheServerItselfIsSkippedWithWhereToPointIt() throws Exception {
        Path runbook = Files.writeString(dir.resolve("direct.yaml"), """
                name: direct
                steps:
                  - { id: waiting, type: check.pgbouncer_waiting }
                """);
        CliRun r = CliRun.run("run", runbook.toString(), "--db", TestPostgres.shared().url(), "--no-color");
        assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
        assertThat(r.out).contains("SKIP", "not PgBouncer", ":6432/pgbouncer");
    }

    static Map<String, String> env(PgBouncer bouncer) {
        Map<String, String> env = new HashMap<>();
        env.put("PGBOUNCER_ADMIN_URL", bouncer.consoleUrl());
        env.put("PGBOUNCER_APP_URL", bouncer.url("postgres", "postgres"));
        env.put("PGBOUNCER_SERVER_URL", TestPostgres.shared().url());
        return env;
    }

    static JsonNode runJson(Map<String, String> env, Path runbook) throws Exception {
        CliRun r = CliRun.withEnv(env, "run", runbook.toString(), "--format", "json");
        return JSON.readTree(r.out);
    }

    static JsonNode step(JsonNode report, String id) {
        for (JsonNode s : report.path("steps")) {
            if (id.equals(s.path("id").asText())) {
                return s;
            }
        }
        throw new AssertionError("no step " + id + " in " + report);
    }
}
