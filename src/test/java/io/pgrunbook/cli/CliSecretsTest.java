package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A password given on the command line or in PGPASSWORD appears in no output: not on stdout or
 * stderr, not in any report format, not in debug logs, not in errors or plans.
 * (The sandbox trusts loopback, so a run with a password in the URL still connects.)
 */
@ExtendWith(TestPostgres.class)
class CliSecretsTest {
    static final String URL_SECRET = "Url-Secret-8d2f";
    static final String ENV_SECRET = "Env-Secret-51ac";

    @TempDir
    static Path dir;
    static Path runbook;
    static int port;

    @BeforeAll
    static void setUp() throws Exception {
        port = TestPostgres.shared().sandbox().port();
        runbook = Files.writeString(dir.resolve("secrets.yaml"), """
                name: secrets
                steps:
                  - id: ok
                    sql: SELECT current_user
                  - id: failing
                    sql: SELECT 1 WHERE false
                    expect: { rows: 1 }
                  - id: broken
                    sql: SELECT * FROM no_such_table
                """);
    }

    @Test
    void passwordInTheUrlNeverAppearsInAnyFormat() throws Exception {
        String db = "postgres://postgres:" + URL_SECRET + "@127.0.0.1:" + port + "/postgres";
        for (String format : new String[] {"text", "json", "junit", "prometheus"}) {
            Path file = dir.resolve("report." + format);
            CliRun r = CliRun.withEnv(Map.of("PGPASSWORD", ENV_SECRET), "run", runbook.toString(), "--db", db,
                    "--format", format, "--report", format + "=" + file);
            assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
            assertThat(r.all()).doesNotContain(URL_SECRET, ENV_SECRET);
            if (!format.equals("junit") && !format.equals("prometheus")) {
                assertThat(r.out).as("the target is shown, without its password").contains("postgres@127.0.0.1:" + port);
            }
            assertThat(Files.readString(file)).doesNotContain(URL_SECRET, ENV_SECRET);
        }
    }

    @Test
    void passwordNeverAppearsInConnectionErrorsOrPlans() {
        String unreachable = "postgres://ops:" + URL_SECRET + "@127.0.0.1:1/app";
        CliRun r = CliRun.withEnv(Map.of("PGPASSWORD", ENV_SECRET), "run", runbook.toString(), "--db", unreachable);
        assertThat(r.exitCode).isEqualTo(3);
        assertThat(r.all()).contains("ops@127.0.0.1:1").doesNotContain(URL_SECRET, ENV_SECRET);

        CliRun keyValue = CliRun.run("run", runbook.toString(), "--db", "host=127.0.0.1 port=1 password=" + URL_SECRET);
        assertThat(keyValue.exitCode).isEqualTo(3);
        assertThat(keyValue.all()).doesNotContain(URL_SECRET);

        CliRun plan = CliRun.run("plan", runbook.toString(), "--db", unreachable);
        assertThat(plan.exitCode).isZero();
        assertThat(plan.all()).contains("ops@127.0.0.1:1").doesNotContain(URL_SECRET);

        CliRun malformed = CliRun.run("run", runbook.toString(), "--db", "postgres://ops:" + URL_SECRET + "@127.0.0.1:notaport/app");
        assertThat(malformed.exitCode).isEqualTo(2);
        assertThat(malformed.all()).doesNotContain(URL_SECRET);
    }

    @Test
    void passwordNeverAppearsInDebugLogsOfARealProcess() throws Exception {
        String db = "postgres://postgres:" + URL_SECRET + "@127.0.0.1:" + port + "/postgres";
        ChildProcess child = ChildProcess.start(dir, Map.of("PGPASSWORD", ENV_SECRET), "run", runbook.toString(), "--db", db, "-v");
        assertThat(child.waitFor(60)).isEqualTo(1);
        String all = child.out() + child.err();
        assertThat(child.err()).contains("DEBUG");
        // -v says where a run spent its time: the slowest step by name.
        assertThat(child.err()).containsPattern("steps ran in \\d+ ms; slowest step: \\S+ \\(\\d+ ms\\)");
        assertThat(all).doesNotContain(URL_SECRET, ENV_SECRET);
    }

    @Test
    void aRunbookWithAPasswordInItIsRefused() throws Exception {
        Path bad = Files.writeString(dir.resolve("pw.yaml"), """
                name: pw
                targets:
                  main: { url: "postgres://ops:InFile-Secret@db1/app" }
                steps:
                  - id: ok
                    sql: SELECT 1
                """);
        CliRun r = CliRun.run("plan", bad.toString());
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("passwords never live in the file").doesNotContain("InFile-Secret");
    }
}
