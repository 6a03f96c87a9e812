package io.pgrunbook.steps.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The p95 per operation of a previous run, read from its JSON report ({@code --report json=...}):
 * the {@code pgrunbook_loadtest_latency_seconds} metrics with quantile 0.95 of the step with the same
 * id, or of the only load-test step in it.
 */
final class Baseline {
    static final String METRIC = "pgrunbook_loadtest_latency_seconds";

    private Baseline() {}

    /** Microseconds per operation; a file that is not such a report is a {@link ScenarioException} saying why. */
    static Map<String, Long> p95(Path file, String stepId) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ScenarioException("baseline: no file " + file + " (give a JSON report of an earlier run: --report json=FILE)");
        } catch (IOException e) {
            throw new ScenarioException("baseline: " + file + " is not readable JSON (" + e.getMessage().lines().findFirst().orElse("")
                    + "); give a JSON report of an earlier run (--report json=FILE)");
        }
        List<JsonNode> candidates = new ArrayList<>();
        for (JsonNode step : root.path("steps")) {
            Map<String, Long> p95 = read(step);
            if (!p95.isEmpty()) {
                if (stepId.equals(step.path("id").asText())) {
                    return p95;
                }
                candidates.add(step);
            }
        }
        if (candidates.size() == 1) {
            return read(candidates.get(0));
        }
        throw new ScenarioException("baseline: " + file + (candidates.isEmpty() ? " has no load-test latencies (" + METRIC
                + " metrics); is it a JSON report of a loadtest run?" : " has " + candidates.size() + " load-test steps and none has id '" + stepId + "'"));
    }

    private static Map<String, Long> read(JsonNode step) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (JsonNode m : step.path("metrics")) {
            JsonNode labels = m.path("labels");
            if (METRIC.equals(m.path("name").asText()) && "0.95".equals(labels.path("quantile").asText()) && m.path("value").isNumber()) {
                out.put(labels.path("operation").asText(), Math.round(m.path("value").asDouble() * 1e6));
            }
        }
        return out;
    }
}
