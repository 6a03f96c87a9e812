package io.pgrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Issue 14 item 4: a sub-millisecond lock_timeout reaches the server as 1ms, never as the "0" that disables it. */
@ExtendWith(TestPostgres.class)
class SubMillisecondTimeoutIntegrationTest {
    @Test
    void aSubMillisecondLockTimeoutIsSentRoundedUp() throws Exception {
        String db = TestPostgres.shared().createDatabase("submilli");
        RunReport r = EngineHarness.run("""
                name: submilli
                steps:
                  - id: lt
                    lock_timeout: 0.9ms
                    sql: SELECT current_setting('lock_timeout')
                    expect: { value: 1ms }
                """, db);
        StepResult s = EngineHarness.step(r, "lt");
        assertThat(s.status()).as(s.message()).isEqualTo(Status.PASS);
    }
}
