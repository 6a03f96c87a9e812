package io.pgrunbook.steps.checks;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.engine.Planner;
import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.ValueKind;
import io.pgrunbook.runbook.load.RunbookLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How checks word what they expect and show settings and durations; the SQL chosen for PostgreSQL 16 and 17. */
class CheckWordingTest {

    @Test
    void onlyTheThresholdsThatAreSetAreWorded() {
        Threshold count = Threshold.count(1L, null);
        assertThat(Check.expected(count, 1.0, null)).isEqualTo("fewer than 1 (warning)");
        assertThat(Check.expected(count, null, 1.0)).isEqualTo("fewer than 1 (critical)");
        assertThat(Check.expected(count, 1.0, 3.0)).isEqualTo("fewer than 1 (warning), fewer than 3 (critical)");
        Threshold pct = Threshold.above("used_pct", ValueKind.NUMBER, "%", 75L, 90L);
        assertThat(Check.expected(pct, 75.0, null)).isEqualTo("used_pct < 75% (warning)");
        assertThat(Check.expected(pct, null, null)).isEqualTo("no threshold set: reported only");
    }

    @Test
    void settingsReadAsTheyAreWritten() {
        assertThat(SettingValues.display("16384", "8kB")).isEqualTo("128 MB");
        assertThat(SettingValues.display("4096", "kB")).isEqualTo("4 MB");
        assertThat(SettingValues.display("262144", "8kB")).isEqualTo("2 GB");
        assertThat(SettingValues.display("300000", "ms")).isEqualTo("5 min");
        assertThat(SettingValues.display("750", "ms")).isEqualTo("750 ms");
        assertThat(SettingValues.display("300", "s")).isEqualTo("5 min");
        assertThat(SettingValues.display("-1", "kB")).isEqualTo("-1 (kB)");
        assertThat(SettingValues.display("0.9", null)).isEqualTo("0.9");
    }

    @Test
    void plansShowDurationsAsRunbooksWriteThem() {
        StepRegistry registry = StepRegistry.load();
        Runbook r = new RunbookLoader(registry).parse("""
                name: plan
                steps:
                  - id: long
                    type: check.long_running
                    with: { warning: 90s, critical: 5min }
                """, "plan.yaml", Map.of(), Map.of());
        String plan = new Planner(registry).plan(r, Map.of(), false);
        assertThat(plan).contains("warning: 90s", "critical: 5min").doesNotContain("PT5M").doesNotContain("PT1M30S");
    }

    @Test
    void unusedIndexesUseLastIdxScanFrom16() {
        assertThat(UnusedIndexesCheck.sqlFor(15)).doesNotContain("last_idx_scan").contains("AND u.idx_scan = 0");
        for (int v = 16; v <= 17; v++) {
            assertThat(UnusedIndexesCheck.sqlFor(v)).contains("u.idx_scan, u.last_idx_scan,", "max(s.last_idx_scan) AS last_idx_scan")
                    .contains("u.idx_scan = 0 OR (:unused_for_s > 0 AND u.last_idx_scan < now() - make_interval(secs => :unused_for_s))");
        }
    }
}
