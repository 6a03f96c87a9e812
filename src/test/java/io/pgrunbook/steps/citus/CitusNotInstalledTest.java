package io.pgrunbook.steps.citus;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.testsupport.TestPostgres;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every citus.* step against plain PostgreSQL: a clear ERROR saying Citus is not installed. Always runs. */
@ExtendWith(TestPostgres.class)
class CitusNotInstalledTest {

    @Test
    void everyStepSaysCitusIsNotInstalled() throws Exception {
        String db = TestPostgres.shared().createDatabase("citus_absent");
        RunReport report = CitusHarness.runShipped(db, Map.of());
        assertThat(report.steps()).hasSize(9);
        for (StepResult s : report.steps()) {
            assertThat(s.status()).as(CitusHarness.describe(s)).isEqualTo(Status.ERROR);
            assertThat(s.message()).as(s.stepId()).contains("Citus is not installed on target 'coordinator'");
        }
        assertThat(report.exitCode().code()).isEqualTo(1);
    }
}
