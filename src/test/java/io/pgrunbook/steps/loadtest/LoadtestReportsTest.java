package io.pgrunbook.steps.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.engine.Engine;
import io.pgrunbook.engine.RunOptions;
import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.report.JsonRenderer;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.report.Status;
import io.pgrunbook.report.StepResult;
import io.pgrunbook.runbook.load.RunbookLoader;
import io.pgrunbook.testsupport.TestPostgres;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The HTML report, live progress and the baseline comparison, from short real runs against the sandbox. */
@ExtendWith(TestPostgres.class)
class LoadtestReportsTest {
    @TempDir
    Path dir;

    @Test
    void theHtmlReportIsSelfContainedAndCarriesVerdictsPercentilesErrorsAndShards() throws Exception {
        String url = TestPostgres.shared().createDatabase("loadtest_html");
        Path html = dir.resolve("out/lt.html");
        RunReport report = run(url, """
                operations:
                  get: { weight: 90, sql: "SELECT :k::int", params: { k: { uniform: { min: 1, max: 1000 } } } }
                  bad: { class: write, weight: 10, sql: "SELECT 1/(:k - :k)", params: { k: { uniform: { min: 1, max: 1000 } } } }
                workload: { rate: 100/s, connections: 2, duration: 1200ms, warmup: 300ms }
                shard: { key: k, shards: 4 }
                slos: { p95: { read: 0ms }, max_deadlocks: 0, max_shard_share: 1 }
                html_report: "%s"
                """.formatted(html));
        StepResult step = report.steps().get(0);
        assertThat(step.message()).contains("HTML report written to " + html);
        String page = Files.readString(html);
        assertThat(page).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
        assertThat(page).contains("<td>p95 reads</td>", "<td class=\"FAIL\">FAIL</td>", "<td>deadlocks (40P01)</td>", "<td class=\"PASS\">PASS</td>");
        assertThat(page).contains("<td>get</td><td>read</td>", "22012 x", "division by zero");
        assertThat(page).contains("Shards (k, jump hash)", "fair share 25.00 %");
        assertThat(page).contains("aria-label=\"latency over time\"", "aria-label=\"latency by percentile\"").contains("<path");
        // self-contained: nothing to fetch (the SVG namespace is an identifier, not a request)
        assertThat(page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "")).doesNotContain("http:", "https:", "src=", "href=", "<script", "@import");
        // written atomically: no temporary file left beside it
        try (var files = Files.list(html.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("lt.html");
        }
    }

    @Test
    void progressComesOnceASecondWithRateP95AndErrorsAndTheTimelineCoversTheRun() throws Exception {
        String url = TestPostgres.shared().createDatabase("loadtest_progress");
        Scenario s = ScenarioParser.parse(Map.of(
                "operations", Map.of("one", Map.of("weight", 100, "sql", "SELECT 1")),
                "workload", Map.of("rate", "200/s", "arrivals", "uniform", "connections", 1, "duration", "2200ms", "warmup", "0s")));
        List<String> lines = new CopyOnWriteArrayList<>();
        LoadResult r = new LoadRunner(s, () -> DriverManager.getConnection(url), () -> false, lines::add).run();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).matches("loadtest +2 s +[0-9.]+ ops/s  p95 so far +[0-9.]+ ms  errors 0");
        double rate = Double.parseDouble(lines.get(1).replaceAll(".* ([0-9.]+) ops/s.*", "$1"));
        assertThat(rate).isBetween(150.0, 250.0);
        long timelineOps = r.timeline().stream().mapToLong(Timeline.Point::count).sum();
        assertThat(timelineOps).isBetween(r.completed() - 5, r.completed() + 5);
        assertThat(r.timeline()).hasSizeBetween(2, 3);
    }

    @Test
    void aP95SlowerThanTheBaselineBeyondTheToleranceFailsAndAFasterOnePasses() throws Exception {
        String url = TestPostgres.shared().createDatabase("loadtest_baseline");
        String fast = """
                operations:
                  get: { weight: 100, sql: "SELECT :k::int", params: { k: { uniform: { min: 1, max: 9 } } } }
                workload: { rate: 100/s, connections: 2, duration: 800ms, warmup: 100ms }
                slos: { max_deadlocks: 0 }
                %s
                """;
        RunReport first = run(url, fast.formatted(""));
        assertThat(first.steps().get(0).status()).isEqualTo(Status.PASS);
        Path fastBaseline = save(first, "fast.json");

        // the same operation now sleeps 50 ms on 2 connections at 100/s: starts queue, a regression far beyond 20 %
        String slow = fast.replace("SELECT :k::int", "SELECT :k::int, pg_sleep(0.05)");
        RunReport regressed = run(url, slow.formatted("baseline: \"" + fastBaseline + "\""));
        StepResult fail = regressed.steps().get(0);
        assertThat(fail.status()).isEqualTo(Status.FAIL);
        assertThat(regressed.exitCode().code()).isEqualTo(1);
        List<Object> row = fail.evidence().rows().stream().filter(r -> r.get(0).equals("p95 get vs baseline")).findFirst().orElseThrow();
        assertThat(row.get(1).toString()).contains("baseline", "+ 20 %", "at least +1 ms");
        assertThat(row.get(3)).isEqualTo("FAIL");

        // back to the fast lookup against the slow run as baseline: faster is within any tolerance
        Path slowBaseline = save(regressed, "slow.json");
        StepResult better = run(url, fast.formatted("baseline: \"" + slowBaseline + "\"")).steps().get(0);
        assertThat(better.status()).as(better.message()).isEqualTo(Status.PASS);
        assertThat(better.evidence().rows()).anyMatch(r -> r.get(0).equals("p95 get vs baseline") && r.get(3).equals("PASS")
                && r.get(2).toString().contains("(-"));

        // a baseline that is not a report: ERROR saying what to give, before any load
        Files.writeString(dir.resolve("junk.json"), "{ not json");
        StepResult junk = run(url, fast.formatted("baseline: \"" + dir.resolve("junk.json") + "\"")).steps().get(0);
        assertThat(junk.status()).isEqualTo(Status.ERROR);
        assertThat(junk.message()).contains("not readable JSON", "--report json=FILE");
        StepResult missing = run(url, fast.formatted("baseline: \"" + dir.resolve("nope.json") + "\"")).steps().get(0);
        assertThat(missing.message()).contains("baseline: no file");
    }

    @Test
    void theTimelineStaysBoundedOverAnyDurationAndKeepsEveryOperation() {
        Timeline t = new Timeline();
        long second = 1_000_000_000L;
        for (int i = 1; i <= 5000; i++) {
            t.record(i % 100 == 0 ? 90_000 : 1_000);
            t.record(2_000);
            t.sample(i * second, 10 * second);
        }
        List<Timeline.Point> points = t.finish(5000 * second + 1, 10 * second);
        assertThat(points.size()).isLessThanOrEqualTo(Timeline.MAX_POINTS).isGreaterThan(Timeline.MAX_POINTS / 4);
        assertThat(points.stream().mapToLong(Timeline.Point::count).sum()).isEqualTo(10_000);
        assertThat(points.get(0).start()).isEqualTo(-10.0);
        // the 90 ms outliers survive merging as the interval maxima
        assertThat(points.stream().mapToLong(Timeline.Point::max).max().orElseThrow()).isBetween(89_000L, 91_000L);
    }

    @Test
    void shardAndBaselineKeysAreCheckedWhenTheScenarioIsParsed() {
        Map<String, Object> ops = Map.of("get", Map.of("weight", 100, "sql", "SELECT :tenant"));
        Map<String, Object> closed = Map.of("model", "closed");
        assertThatThrownBy(() -> ScenarioParser.parse(Map.of("operations", ops, "workload", closed, "shard", Map.of("key", "tenant", "shards", 4, "citus_table", "t"))))
                .hasMessageContaining("either shards: N").hasMessageContaining("not both");
        assertThatThrownBy(() -> ScenarioParser.parse(Map.of("operations", ops, "workload", closed, "shard", Map.of("key", "tenant"))))
                .hasMessageContaining("not neither");
        assertThatThrownBy(() -> ScenarioParser.parse(Map.of("operations", ops, "workload", closed, "baseline_tolerance", -1)))
                .hasMessageContaining("baseline_tolerance: a fraction of the baseline p95");
        Scenario s = ScenarioParser.parse(Map.of("operations", ops, "workload", closed, "shard", Map.of("key", "tenant", "citus_table", "kv"), "baseline", "b.json"));
        assertThat(s.shard().method()).isEqualTo("Citus shards of kv");
        assertThat(s.baselineTolerance()).isEqualTo(0.2);
    }

    private Path save(RunReport report, String name) throws java.io.IOException {
        Path file = dir.resolve(name);
        try (StringWriter w = new StringWriter()) {
            new JsonRenderer().render(report, w);
            Files.writeString(file, w.toString());
        }
        return file;
    }

    static RunReport run(String url, String with) {
        String yaml = "name: lt\ntargets: { db: { url: \"" + url + "\" } }\nsteps:\n  - id: lt\n    type: loadtest\n    with:\n"
                + with.indent(6);
        StepRegistry registry = StepRegistry.load();
        var runbook = new RunbookLoader(registry).parse(yaml, "lt.yaml", Map.of(), Map.of());
        return new Engine(registry).run(runbook, new RunOptions(false, Map.of(), Map.of()), new Cancellation());
    }
}
