package io.pgrunbook.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Metrics that step types report reach Prometheus (one family, labels merged) and JSON. */
class StepMetricsTest {
    private static final RunReport REPORT = ReportFixtures.run(
            ReportFixtures.step("sweep", Status.PASS).target("shard0").metrics(
                    Metric.counter("ttl_cleanup_deletes_total", "Rows deleted.", Map.of("scope", "a1b2"), 1500),
                    Metric.gauge("ttl_expired_rows_pending", "Expired rows left.", Map.of("scope", "a1b2"), 12)).build(),
            ReportFixtures.step("sweep2", Status.PASS).target("shard1").metrics(
                    Metric.counter("ttl_cleanup_deletes_total", "Rows deleted.", Map.of("scope", "c3d4"), 0.5)).build())
            .build();

    @Test
    void prometheusWritesEachFamilyOnceWithStepLabels() {
        String text = Rendering.render(ReportFormat.PROMETHEUS, REPORT);
        assertThat(text.split("# TYPE ttl_cleanup_deletes_total counter", -1)).hasSize(2);
        assertThat(text).contains(
                "ttl_cleanup_deletes_total{runbook=\"storage-shard-validation\",step=\"sweep\",target=\"shard0\",scope=\"a1b2\"} 1500\n",
                "ttl_cleanup_deletes_total{runbook=\"storage-shard-validation\",step=\"sweep2\",target=\"shard1\",scope=\"c3d4\"} 0.5\n",
                "# TYPE ttl_expired_rows_pending gauge\n",
                "ttl_expired_rows_pending{runbook=\"storage-shard-validation\",step=\"sweep\",target=\"shard0\",scope=\"a1b2\"} 12\n");
        int family = text.indexOf("# HELP ttl_cleanup_deletes_total");
        int otherFamily = text.indexOf("# HELP ttl_expired_rows_pending");
        assertThat(text.indexOf("step=\"sweep2\",target=\"shard1\",scope=\"c3d4\"")).isBetween(family, otherFamily);
    }

    @Test
    void jsonListsTheMetricsOfEachStep() throws Exception {
        JsonNode json = new ObjectMapper().readTree(Rendering.render(ReportFormat.JSON, REPORT));
        JsonNode metric = json.get("steps").get(0).get("metrics").get(0);
        assertThat(metric.get("name").asText()).isEqualTo("ttl_cleanup_deletes_total");
        assertThat(metric.get("labels").get("scope").asText()).isEqualTo("a1b2");
        assertThat(metric.get("value").asDouble()).isEqualTo(1500.0);
    }

    @Test
    void invalidNamesAreRefused() {
        assertThatThrownBy(() -> Metric.gauge("bad-name", "x", Map.of(), 1)).hasMessageContaining("bad-name");
        assertThatThrownBy(() -> Metric.gauge("ok", "x", Map.of("__reserved", "v"), 1)).hasMessageContaining("__reserved");
        assertThatThrownBy(() -> new Metric("ok", "histogram", "x", Map.of(), 1)).hasMessageContaining("gauge or counter");
    }
}
