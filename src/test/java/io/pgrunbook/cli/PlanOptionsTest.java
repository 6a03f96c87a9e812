package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** plan takes run's target, variable and sandbox options, and shows what it cannot resolve as such. */
class PlanOptionsTest {

    static Path runbook(Path dir) throws Exception {
        return Files.writeString(dir.resolve("env.yaml"), """
                name: envtest
                vars:
                  window: 5 minutes
                targets:
                  main: { url: "${env:PLAN_TEST_DB_URL}" }
                  other: { url: "${env:PLAN_TEST_OTHER_URL}?application_name=${env:PLAN_TEST_APP}" }
                steps:
                  - id: a
                    sql: SELECT now() - :window::interval
                  - id: b
                    target: other
                    sql: SELECT 1
                """);
    }

    @Test
    void unsetEnvironmentIsShownAsWrittenAndASetPasswordNever(@TempDir Path tmp) throws Exception {
        CliRun plan = CliRun.withEnv(Map.of("PLAN_TEST_OTHER_URL", "postgres://ops:hunter2-secret@db2/app"), "plan", runbook(tmp).toString());
        assertThat(plan.exitCode).as(plan.toString()).isZero();
        assertThat(plan.out).contains("main: ${env:PLAN_TEST_DB_URL}  (names an environment variable not set here: a run needs it)",
                "@db2/app?application_name=${env:PLAN_TEST_APP}").doesNotContain("hunter2-secret");
        CliRun run = CliRun.run("run", runbook(tmp).toString());
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("environment variable PLAN_TEST_DB_URL is not set");
    }

    @Test
    void planTakesTargetSetAndSandboxLikeRun(@TempDir Path tmp) throws Exception {
        CliRun plan = CliRun.run("plan", runbook(tmp).toString(), "--target", "main=postgres://ops@db9/app",
                "--set", "window=10 minutes", "--lock");
        assertThat(plan.exitCode).as(plan.toString()).isZero();
        assertThat(plan.out).contains("main: postgresql://ops@db9:5432/app", "10 minutes", "Lock: advisory lock");
        CliRun sandbox = CliRun.run("plan", "runbooks/health.yaml", "--sandbox", "--sandbox-init", "runbooks/sample/storage-schema.sql");
        assertThat(sandbox.exitCode).as(sandbox.toString()).isZero();
        assertThat(sandbox.out).contains("a throwaway local PostgreSQL that the run starts and removes (--sandbox), loaded with "
                + "runbooks/sample/storage-schema.sql").contains("no connection was made");
        CliRun both = CliRun.run("plan", "runbooks/health.yaml", "--sandbox", "--db", "postgres://x@y/z");
        assertThat(both.exitCode).isEqualTo(2);
    }
}
