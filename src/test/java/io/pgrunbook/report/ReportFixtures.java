package io.pgrunbook.report;

import io.pgrunbook.error.ExitCode;
import io.pgrunbook.runbook.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hand-built reports, so renderer tests do not depend on the engine. */
final class ReportFixtures {
    static final Instant START = Instant.parse("2025-03-01T02:00:00Z");

    private ReportFixtures() {}

    static StepBuilder step(String id, Status status) {
        return new StepBuilder(id, status);
    }

    static RunBuilder run(StepResult... steps) {
        return new RunBuilder(List.of(steps));
    }

    static Evidence evidence(String expected, String observed, List<String> columns, long totalRows, List<?>... rows) {
        List<List<Object>> r = new ArrayList<>();
        for (List<?> row : rows) {
            r.add(new ArrayList<>(row));
        }
        return new Evidence(expected, observed, columns, r, totalRows);
    }

    /** One step of every status, a fanned-out step, evidence with more rows than shown. */
    static RunReport everyStatus() {
        return run(
                step("hash-distributed", Status.PASS).name("Tables are hash-distributed").message("3 tables by hash").build(),
                step("dead-tuples", Status.WARN).severity(Severity.WARNING).message("1 table above threshold")
                        .evidence(evidence("n_dead_tup < 100000", "3 rows, 1 offending", List.of("relname", "n_dead_tup"), 1,
                                List.of("ext_storage_usage", 250000)))
                        .build(),
                step("no-reference-tables", Status.FAIL).name("No reference tables").message("2 reference tables")
                        .evidence(evidence("value = 0", "value = 5", List.of("logicalrelid", "partmethod"), 5,
                                List.of("ext_storage_records", "n"), List.of("x".repeat(100), "n")))
                        .build(),
                step("replication-lag", Status.ERROR).message("canceling statement due to statement timeout")
                        .sqlState("57014").attempts(3).build(),
                step("ttl-backlog", Status.SKIP).message("skipped: depends on replication-lag").build(),
                step("shard-counts", Status.FAIL).name("Row counts match").target(null).children(
                        step("shard-counts", Status.PASS).target("shard-0").build(),
                        step("shard-counts", Status.FAIL).target("shard-1").message("count differs")
                                .evidence(evidence("count = 10", "count = 9", List.of("count"), 1, List.of(9)))
                                .build())
                        .build())
                .build();
    }

    static RunReport allPass() {
        return run(
                step("a", Status.PASS).build(),
                step("b", Status.WARN).severity(Severity.WARNING).message("almost").build(),
                step("c", Status.SKIP).build())
                .build();
    }

    static final class StepBuilder {
        private final String id;
        private final Status status;
        private String name;
        private String target = "coordinator";
        private Severity severity = Severity.CRITICAL;
        private Duration duration = Duration.ofMillis(12);
        private String message;
        private Evidence evidence;
        private String sqlState;
        private int attempts = 1;
        private List<StepResult> children = List.of();
        private List<Metric> metrics = List.of();

        StepBuilder(String id, Status status) {
            this.id = id;
            this.status = status;
            this.name = id;
        }

        StepBuilder name(String v) { name = v; return this; }
        StepBuilder target(String v) { target = v; return this; }
        StepBuilder severity(Severity v) { severity = v; return this; }
        StepBuilder duration(Duration v) { duration = v; return this; }
        StepBuilder message(String v) { message = v; return this; }
        StepBuilder evidence(Evidence v) { evidence = v; return this; }
        StepBuilder sqlState(String v) { sqlState = v; return this; }
        StepBuilder attempts(int v) { attempts = v; return this; }
        StepBuilder children(StepResult... v) { children = Arrays.asList(v); return this; }
        StepBuilder metrics(Metric... v) { metrics = Arrays.asList(v); return this; }

        StepResult build() {
            return new StepResult(id, name, "sql", target, severity, status, START, duration, message, evidence,
                    sqlState, attempts, children, metrics);
        }
    }

    static final class RunBuilder {
        private final List<StepResult> steps;
        private String runbook = "storage-shard-validation";
        private String description = "Shard validation after the ext_storage migration";
        private Duration duration = Duration.ofMillis(840);
        private Map<String, String> environment = new LinkedHashMap<>(Map.of(
                "tool_version", "0.1.0", "host", "db-ops-1", "java_version", "17.0.15"));
        private String runError;
        private ExitCode runErrorCode;
        private boolean interrupted;

        RunBuilder(List<StepResult> steps) {
            this.steps = steps;
        }

        RunBuilder runbook(String v) { runbook = v; return this; }
        RunBuilder description(String v) { description = v; return this; }
        RunBuilder duration(Duration v) { duration = v; return this; }
        RunBuilder environment(String key, String value) { environment.put(key, value); return this; }
        RunBuilder runError(String v, ExitCode code) { runError = v; runErrorCode = code; return this; }
        RunBuilder interrupted() { interrupted = true; return this; }

        RunReport build() {
            return new RunReport(runbook, description, "runbooks/shards.yaml", START, duration, environment,
                    List.of(new TargetInfo("coordinator", "postgres@db1:5432/storage", "PostgreSQL 15.18"),
                            new TargetInfo("shard-1", "postgres@db2:5432/storage", null)),
                    steps, runError, runErrorCode, interrupted);
        }
    }
}
