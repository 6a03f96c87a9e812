package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox commands and --sandbox, each with its own real server. */
class CliSandboxTest {
    @TempDir
    Path dir;

    @Test
    void startStatusStop() {
        Map<String, String> env = Map.of("PGRUNBOOK_STATE_DIR", dir.resolve("state").toString());
        CliRun none = CliRun.withEnv(env, "sandbox", "status");
        assertThat(none.exitCode).isEqualTo(1);
        assertThat(none.out).contains("no sandbox");

        CliRun start = CliRun.withEnv(env, "sandbox", "start");
        try {
            assertThat(start.exitCode).as(start.toString()).isZero();
            assertThat(start.out.strip()).matches("postgresql://postgres@127\\.0\\.0\\.1:\\d+/postgres");
            CliRun status = CliRun.withEnv(env, "sandbox", "status");
            assertThat(status.exitCode).isZero();
            assertThat(status.out).contains("running", start.out.strip());

            Path runbook = Files.writeString(dir.resolve("v.yaml"), "name: v\nsteps:\n  - id: v\n    sql: SELECT 1\n    expect: { value: 1 }\n");
            CliRun run = CliRun.withEnv(env, "run", runbook.toString(), "--db", start.out.strip());
            assertThat(run.exitCode).as(run.toString()).isZero();
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            CliRun stop = CliRun.withEnv(env, "sandbox", "stop");
            assertThat(stop.exitCode).isZero();
            assertThat(stop.err).contains("stopped");
        }
        assertThat(CliRun.withEnv(env, "sandbox", "status").exitCode).isEqualTo(1);
    }

    @Test
    void runWithSandboxLoadsInitFilesAndRemovesTheServerAfterwards() throws Exception {
        Path schema = Files.writeString(dir.resolve("schema.sql"), "CREATE TABLE demo (id int);\nINSERT INTO demo VALUES (1), (2);\n");
        Path runbook = Files.writeString(dir.resolve("demo.yaml"), """
                name: demo
                steps:
                  - id: rows
                    sql: SELECT count(*) FROM demo
                    expect: { value: 2 }
                  - id: port
                    sql: SELECT current_setting('port')
                """);
        CliRun r = CliRun.run("run", runbook.toString(), "--sandbox", "--sandbox-init", schema.toString(), "--format", "json");
        assertThat(r.exitCode).as(r.toString()).isZero();
        String port = r.out.replaceAll("(?s).*\"sandbox\" *: *\"PostgreSQL \\d+ on port (\\d+)\".*", "$1");
        assertThat(port).matches("\\d+");
        try (var socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", Integer.parseInt(port)), 1000);
            throw new AssertionError("the sandbox on port " + port + " is still listening");
        } catch (java.io.IOException expected) {
            // refused: the sandbox was removed
        }
    }

    @Test
    void sandboxInitWithoutSandboxIsAUsageError() throws Exception {
        Path runbook = Files.writeString(dir.resolve("x.yaml"), "name: x\nsteps:\n  - id: v\n    sql: SELECT 1\n");
        CliRun r = CliRun.run("run", runbook.toString(), "--db", "postgres://127.0.0.1:1/x", "--sandbox-init", "a.sql");
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("add --sandbox");
    }

    @Test
    void aSandboxWithTlsIsReachedOverTlsByDefaultAndWithoutItOnRequest() throws Exception {
        Path runbook = Files.writeString(dir.resolve("tls.yaml"), """
                name: tls
                steps:
                  - id: tls
                    sql: SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()
                    expect: { value: true }
                  - id: server
                    sql: SELECT current_setting('ssl')
                    expect: { value: "on" }
                """);
        CliRun tls = CliRun.run("run", runbook.toString(), "--sandbox", "--sandbox-tls");
        assertThat(tls.exitCode).as(tls.toString()).isZero();
        assertThat(tls.err).contains("serving TLS");

        CliRun plain = CliRun.run("run", runbook.toString(), "--sandbox");
        assertThat(plain.exitCode).as("a sandbox without --sandbox-tls serves no TLS: " + plain).isEqualTo(1);
    }

    @Test
    void sandboxTlsWithoutSandboxIsAUsageError() throws Exception {
        Path runbook = Files.writeString(dir.resolve("x.yaml"), "name: x\nsteps:\n  - id: v\n    sql: SELECT 1\n");
        CliRun r = CliRun.run("run", runbook.toString(), "--db", "postgres://127.0.0.1:1/x", "--sandbox-tls");
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("--sandbox-tls", "add --sandbox");
    }
}
