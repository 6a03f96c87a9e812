package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C on a real process: the query is cancelled on the server, the partial report is written, exit 130. */
@ExtendWith(TestPostgres.class)
class CliInterruptTest {
    @TempDir
    Path dir;

    @Test
    void ctrlCCancelsTheStatementOnTheServerAndWritesThePartialReport() throws Exception {
        String db = TestPostgres.shared().createDatabase("interrupt");
        Path runbook = Files.writeString(dir.resolve("slow.yaml"), """
                name: slow
                steps:
                  - id: quick
                    sql: SELECT 1
                  - id: sleepy
                    sql: SELECT pg_sleep(60) /* pgrunbook-interrupt-test */
                    timeout: 2min
                  - id: never
                    sql: SELECT 2
                """);
        Path json = dir.resolve("partial.json");
        ChildProcess child = ChildProcess.start(dir, Map.of(), "run", runbook.toString(), "--db", db, "--report", "json=" + json);
        try (Connection c = DriverManager.getConnection(db)) {
            assertThat(waitForQuery(c, true)).as("the slow statement started").isTrue();
            new ProcessBuilder("kill", "-INT", Long.toString(child.process.pid())).start().waitFor();
            int exit = child.waitFor(90);
            assertThat(exit).as(child.err()).isEqualTo(130);
            assertThat(waitForQuery(c, false)).as("the statement was cancelled on the server").isTrue();
        }
        assertThat(child.out()).contains("PASS", "quick", "ERROR", "sleepy", "interrupted", "SKIP", "never");
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.get("interrupted").asBoolean()).isTrue();
        assertThat(report.get("exit_code").asInt()).isEqualTo(130);
        assertThat(report.get("steps").get(2).get("status").asText()).isEqualTo("skip");
    }

    /** Polls pg_stat_activity until the test's query is (or is no longer) running, for at most 20 s. */
    private static boolean waitForQuery(Connection c, boolean running) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pgrunbook-interrupt-test%' "
                            + "AND pid <> pg_backend_pid()")) {
                rs.next();
                if ((rs.getInt(1) > 0) == running) {
                    return true;
                }
            }
            Thread.sleep(100);
        }
        return false;
    }
}
