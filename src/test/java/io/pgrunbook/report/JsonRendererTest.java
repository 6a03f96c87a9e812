package io.pgrunbook.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgrunbook.error.ExitCode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonRendererTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode json(RunReport report) throws Exception {
        return MAPPER.readTree(Rendering.render(ReportFormat.JSON, report));
    }

    private static List<String> keys(JsonNode node) {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    @Test
    void topLevelKeysAreTheDocumentedOnesInTheDocumentedOrder() throws Exception {
        JsonNode root = json(ReportFixtures.everyStatus());
        assertThat(keys(root)).containsExactly("schema", "runbook", "description", "source", "started_at",
                "duration_ms", "status", "exit_code", "interrupted", "run_error", "environment", "targets", "summary",
                "steps");
        assertThat(root.get("schema").asText()).isEqualTo("pgrunbook.report/v1");
        assertThat(root.get("started_at").asText()).isEqualTo("2025-03-01T02:00:00Z");
        assertThat(root.get("duration_ms").asLong()).isEqualTo(840);
        assertThat(root.get("status").asText()).isEqualTo("error");
        assertThat(root.get("exit_code").asInt()).isEqualTo(1);
        assertThat(root.get("run_error").isNull()).isTrue();
        assertThat(keys(root.get("environment"))).containsExactly("host", "java_version", "tool_version");
        assertThat(keys(root.get("targets").get(0))).containsExactly("name", "display", "server_version");
        assertThat(root.get("targets").get(1).get("server_version").isNull()).isTrue();
    }

    @Test
    void summaryCountsEveryStatus() throws Exception {
        JsonNode summary = json(ReportFixtures.everyStatus()).get("summary");
        assertThat(keys(summary)).containsExactly("pass", "warn", "fail", "error", "skip");
        assertThat(summary.get("fail").asInt()).isEqualTo(2);
        assertThat(summary.get("error").asInt()).isEqualTo(1);
    }

    @Test
    void stepsCarryEvidenceRowsWithTheirJsonTypes() throws Exception {
        JsonNode steps = json(ReportFixtures.everyStatus()).get("steps");
        JsonNode warn = steps.get(1);
        assertThat(keys(warn)).containsExactly("id", "name", "type", "target", "severity", "status", "started_at",
                "duration_ms", "message", "sqlstate", "attempts", "evidence", "children", "metrics");
        assertThat(warn.get("severity").asText()).isEqualTo("warning");
        assertThat(warn.get("status").asText()).isEqualTo("warn");
        JsonNode evidence = warn.get("evidence");
        assertThat(keys(evidence)).containsExactly("expected", "observed", "columns", "rows", "total_rows");
        assertThat(evidence.get("rows").get(0).get(0).asText()).isEqualTo("ext_storage_usage");
        assertThat(evidence.get("rows").get(0).get(1).isInt()).isTrue();
        assertThat(steps.get(3).get("sqlstate").asText()).isEqualTo("57014");
        assertThat(steps.get(3).get("attempts").asInt()).isEqualTo(3);
    }

    @Test
    void fannedOutStepNestsOneChildPerTarget() throws Exception {
        JsonNode parent = json(ReportFixtures.everyStatus()).get("steps").get(5);
        assertThat(parent.get("target").isNull()).isTrue();
        assertThat(parent.get("children")).hasSize(2);
        assertThat(parent.get("children").get(1).get("target").asText()).isEqualTo("shard-1");
        assertThat(parent.get("children").get(1).get("children")).isEmpty();
    }

    @Test
    void runErrorAndInterruptionAreRecorded() throws Exception {
        JsonNode root = json(ReportFixtures.run().runError("cut short", ExitCode.INTERRUPTED).interrupted().build());
        assertThat(root.get("run_error").asText()).isEqualTo("cut short");
        assertThat(root.get("interrupted").asBoolean()).isTrue();
        assertThat(root.get("exit_code").asInt()).isEqualTo(130);
        assertThat(root.get("steps")).isEmpty();
    }

    @Test
    void outputIsStableAcrossRenders() {
        RunReport report = ReportFixtures.everyStatus();
        assertThat(Rendering.render(ReportFormat.JSON, report)).isEqualTo(Rendering.render(ReportFormat.JSON, report))
                .contains("\"schema\": \"pgrunbook.report/v1\"").endsWith("}\n");
    }
}
