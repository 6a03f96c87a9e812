package io.pgrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.report.ReportFormat;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14 item 6: rows of 10 MB values are evidence of bounded size: each cell cut with its full
 * size stated, in memory and in every report, the value never printed whole (let alone twice).
 */
@ExtendWith(TestPostgres.class)
class WideResultIntegrationTest {
    @Test
    void tenMegabyteValuesAreCutWithTheirSizeInEveryReport() throws Exception {
        String db = TestPostgres.shared().createDatabase("wide");
        RunReport r = EngineHarness.run("""
                name: wide
                steps:
                  - id: wide
                    timeout: 5min
                    sql: SELECT g, repeat('x', 10485760) AS payload FROM generate_series(1, 30) g
                    expect: { rows: 30 }
                  - id: one
                    timeout: 5min
                    sql: SELECT repeat('y', 10485760)
                """, db);
        StepResult wide = EngineHarness.step(r, "wide");
        assertThat(wide.status()).as(wide.message()).isEqualTo(Status.PASS);
        StepResult one = EngineHarness.step(r, "one");
        assertThat(one.status()).as(one.message()).isEqualTo(Status.PASS);
        assertThat(String.valueOf(one.evidence().rows().get(0).get(0))).endsWith("\u2026 (10.0 MB, truncated)").hasSizeLessThan(5000);
        for (ReportFormat format : ReportFormat.values()) {
            String out = EngineHarness.render(r, format);
            assertThat(out.length()).as(format + " report size").isLessThan(1_000_000);
        }
        String text = EngineHarness.render(r, ReportFormat.TEXT);
        assertThat(text).doesNotContain("y".repeat(5000));
        assertThat(EngineHarness.render(r, ReportFormat.JSON)).contains("(10.0 MB, truncated)");
    }
}
