package io.pgrunbook.engine;

import static io.pgrunbook.engine.EngineHarness.deadPort;
import static io.pgrunbook.engine.EngineHarness.parse;
import static io.pgrunbook.engine.EngineHarness.run;
import static io.pgrunbook.engine.EngineHarness.step;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.error.ExitCode;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** One dead target among several: its steps error, the others are still checked. */
@ExtendWith(TestPostgres.class)
class UnreachableTargetIntegrationTest {

    @Test
    void aDeadShardErrorsWhileTheOthersAreChecked() throws Exception {
        String live = TestPostgres.shared().createDatabase("live");
        Runbook runbook = parse("""
                name: shards
                targets:
                  shard0: { url: "" }
                  shard1: { url: "" }
                steps:
                  - id: ping
                    targets: [shard0, shard1]
                    sql: SELECT 1
                  - id: only-dead
                    target: shard1
                    sql: SELECT 1
                """)
                .withTargetConnection("shard0", live)
                .withTargetConnection("shard1", "postgresql://postgres@127.0.0.1:" + deadPort() + "/postgres");
        RunReport report = run(runbook);

        assertThat(report.runError()).isNull();
        StepResult ping = step(report, "ping");
        assertThat(ping.status()).isEqualTo(Status.ERROR);
        assertThat(ping.children()).extracting(StepResult::target, StepResult::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("shard0", Status.PASS),
                        org.assertj.core.groups.Tuple.tuple("shard1", Status.ERROR));
        assertThat(ping.children().get(1).message()).contains("target 'shard1' is unavailable", "cannot connect");
        assertThat(step(report, "only-dead").status()).isEqualTo(Status.ERROR);
        assertThat(report.exitCode()).isEqualTo(ExitCode.CHECK_FAILED);
        assertThat(report.targets()).extracting(t -> t.serverVersion() == null).containsExactly(false, true);
    }
}
