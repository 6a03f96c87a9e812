package io.pgrunbook.steps.citus;

import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.engine.Engine;
import io.pgrunbook.engine.RunOptions;
import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.load.RunbookLoader;
import java.nio.file.Path;
import java.util.Map;

/** Runs the shipped Citus runbook (or YAML text) with the real engine against a given coordinator. */
final class CitusHarness {
    static final StepRegistry REGISTRY = StepRegistry.load();
    static final Path SHIPPED = Path.of("runbooks/validate-shards-citus.yaml");

    private CitusHarness() {}

    static RunReport runShipped(String coordinatorUrl, Map<String, String> sets) {
        Runbook r = new RunbookLoader(REGISTRY).load(SHIPPED, sets, Map.of());
        return run(r.withTargetConnection("coordinator", coordinatorUrl));
    }

    static RunReport runYaml(String yaml, String url) {
        Runbook r = new RunbookLoader(REGISTRY).parse(yaml, "t.yaml", Map.of(), Map.of());
        for (String t : r.targets().keySet()) {
            r = r.withTargetConnection(t, url);
        }
        return run(r);
    }

    static RunReport run(Runbook r) {
        return new Engine(REGISTRY).run(r, new RunOptions(false, Map.of(), Map.of()), new Cancellation());
    }

    static StepResult step(RunReport report, String id) {
        return report.steps().stream().filter(s -> s.stepId().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no step '" + id + "' in " + report.steps()));
    }

    static String describe(StepResult s) {
        return s.stepId() + " " + s.status() + " " + s.message() + " " + s.evidence();
    }
}
