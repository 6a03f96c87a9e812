package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** pgrunbook loadtest in-process: progress only for a person at a terminal, and the HTML and baseline options. */
@ExtendWith(TestPostgres.class)
class CliLoadtestTest {
    @TempDir
    Path dir;

    @Test
    void progressGoesToStderrOnATerminalUnlessQuietAndTheHtmlAndBaselineOptionsReachTheStep() throws Exception {
        String url = TestPostgres.shared().createDatabase("cli_loadtest");
        Path runbook = dir.resolve("lt.yaml");
        Files.writeString(runbook, """
                name: lt
                targets: { db: { url: "%s" } }
                vars: { html_report: "", baseline: "", baseline_tolerance: 0.2 }
                steps:
                  - id: lt
                    type: loadtest
                    with:
                      operations: { one: { weight: 100, sql: "SELECT 1" } }
                      workload: { rate: 100/s, connections: 1, duration: 1100ms, warmup: 0s }
                      slos: { max_error_rate: 0 }
                      html_report: ${html_report}
                      baseline: ${baseline}
                      baseline_tolerance: ${baseline_tolerance}
                """.formatted(url));
        Path html = dir.resolve("lt.html");
        Path json = dir.resolve("lt.json");
        CliRun terminal = CliRun.run(Map.of(), true, "", "loadtest", runbook.toString(), "--yes", "--html", html.toString(),
                "--report", "json=" + json);
        assertThat(terminal.exitCode).as(terminal.toString()).isZero();
        assertThat(terminal.err).containsPattern("loadtest +1 s +[0-9.]+ ops/s  p95 so far +[0-9.]+ ms  errors 0");
        assertThat(terminal.out).doesNotContain("ops/s  p95 so far");
        assertThat(Files.readString(html)).contains("<td>error rate</td>", "class=\"PASS\"");

        CliRun quiet = CliRun.run(Map.of(), true, "", "loadtest", runbook.toString(), "--yes", "-q", "--baseline", json.toString(),
                "--baseline-tolerance", "5");
        // exit 0 or 1: the verdict of a sub-millisecond p95 against itself depends on the machine's noise; what is tested is the silence
        assertThat(quiet.exitCode).as(quiet.toString()).isIn(0, 1);
        assertThat(quiet.all()).doesNotContain("p95 so far");

        CliRun cron = CliRun.run(Map.of(), false, "", "loadtest", runbook.toString(), "--yes", "--baseline", json.toString(),
                "--baseline-tolerance", "5");
        assertThat(cron.all()).doesNotContain("p95 so far").containsPattern("[12] of 2 SLOs met").contains("p95 compared with " + json);
    }

    @Test
    void theCommonOptionsWorkOnAScenarioThatDeclaresNoVariables() throws Exception {
        String url = TestPostgres.shared().createDatabase("cli_loadtest_plain");
        Path runbook = dir.resolve("plain.yaml");
        Files.writeString(runbook, """
                name: plain-load
                targets: { db: { url: "%s" } }
                steps:
                  - id: lt
                    type: loadtest
                    with:
                      operations: { one: { weight: 100, sql: "SELECT 1" } }
                      workload: { model: closed, connections: 1, duration: 30s }
                """.formatted(url));
        Path html = dir.resolve("reports/plain.html");
        long began = System.nanoTime();
        CliRun run = CliRun.run("loadtest", runbook.toString(), "--yes", "--duration", "1s", "--warmup", "0s", "--connections", "2",
                "--html", html.toString());
        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat((System.nanoTime() - began) / 1_000_000_000).as("--duration 1s replaced the scenario's 30s").isLessThan(20);
        assertThat(run.out).containsPattern("one: \\d+ ops, p50 [0-9.]+ ms, p95 [0-9.]+ ms, p99 [0-9.]+ ms");
        String page = Files.readString(html);
        assertThat(page).contains("<title>pgrunbook loadtest: " + runbook + " / lt on postgresql://postgres@", "Run at ", "by pgrunbook ",
                "scenario: one.");
        assertThat(java.nio.file.Files.getPosixFilePermissions(html)).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ);

        CliRun bad = CliRun.run("loadtest", runbook.toString(), "--yes", "--duration", "soon");
        assertThat(bad.exitCode).as(bad.toString()).isEqualTo(2);
        assertThat(bad.err).contains("workload.duration");
    }
}
