package io.pgrunbook.report;

import static io.pgrunbook.report.ReportFixtures.run;
import static io.pgrunbook.report.ReportFixtures.step;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.error.ExitCode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PrometheusRendererTest {
    // the text exposition format, as node_exporter's textfile collector parses it
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:\\\\[\\\\\"n]|[^\\\\\"\\n])*\"";
    private static final Pattern SAMPLE = Pattern.compile(
            "(" + NAME + ")(\\{(?:" + LABEL + "(?:," + LABEL + ")*)?\\})? (-?[0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|NaN|[+-]Inf)");
    private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) (" + NAME + ") .+");
    private static final Instant PREVIOUS = Instant.parse("2025-02-28T02:00:01.250Z");

    private static String prom(RunReport report, Instant previous) {
        return Rendering.render(ReportFormat.PROMETHEUS, new RenderOptions(false, false, previous), report);
    }

    private static List<String> lines(String text) {
        assertThat(text).endsWith("\n");
        return List.of(text.split("\n"));
    }

    private static List<String> samples(String text, String metric) {
        return lines(text).stream().filter(l -> l.startsWith(metric + "{")).toList();
    }

    @Test
    void everyLineFollowsTheExpositionGrammarAndFamiliesAreContiguous() {
        RunReport hostile = run(step("a\"b\\c\nd", Status.FAIL).target("shard \"1\"\n").build())
                .runbook("rb\\\"\n").build();
        for (RunReport report : List.of(ReportFixtures.everyStatus(), hostile)) {
            String text = prom(report, PREVIOUS);
            Set<String> seenFamilies = new LinkedHashSet<>();
            String current = null;
            for (String line : lines(text)) {
                Matcher comment = COMMENT.matcher(line);
                if (comment.matches()) {
                    if (comment.group(1).equals("HELP")) {
                        assertThat(seenFamilies.add(comment.group(2))).as("HELP once for " + line).isTrue();
                        current = comment.group(2);
                    } else {
                        assertThat(line).isEqualTo("# TYPE " + current + " gauge");
                    }
                    continue;
                }
                Matcher sample = SAMPLE.matcher(line);
                assertThat(sample.matches()).as(line).isTrue();
                assertThat(sample.group(1)).as("sample under its own family").isEqualTo(current);
            }
            assertThat(seenFamilies).contains("pgrunbook_step_status", "pgrunbook_step_success",
                    "pgrunbook_step_duration_seconds", "pgrunbook_run_exit_code", "pgrunbook_run_duration_seconds",
                    "pgrunbook_run_timestamp_seconds", "pgrunbook_last_success_timestamp_seconds");
        }
    }

    @Test
    void labelValuesAreEscaped() {
        RunReport report = run(step("a\"b\\c\nd", Status.PASS).build()).runbook("rb").build();
        assertThat(prom(report, null)).contains("step=\"a\\\"b\\\\c\\nd\"");
    }

    @Test
    void stepStatusIsOneHotPerStepAndTarget() {
        String text = prom(ReportFixtures.everyStatus(), null);
        Map<String, Integer> sums = new HashMap<>();
        for (String line : samples(text, "pgrunbook_step_status")) {
            String series = line.replaceAll(",status=\"[a-z]+\"", "");
            String key = series.substring(0, series.lastIndexOf(' '));
            sums.merge(key, Integer.parseInt(series.substring(series.lastIndexOf(' ') + 1)), Integer::sum);
        }
        // 5 plain steps + 2 targets of the fanned-out one
        assertThat(sums).hasSize(7).allSatisfy((series, sum) -> assertThat(sum).as(series).isEqualTo(1));
        assertThat(samples(text, "pgrunbook_step_status")).hasSize(35);
    }

    @Test
    void fannedOutStepGivesOneSeriesPerChildTarget() {
        String text = prom(ReportFixtures.everyStatus(), null);
        assertThat(samples(text, "pgrunbook_step_success")).contains(
                "pgrunbook_step_success{runbook=\"storage-shard-validation\",step=\"shard-counts\",target=\"shard-0\"} 1",
                "pgrunbook_step_success{runbook=\"storage-shard-validation\",step=\"shard-counts\",target=\"shard-1\"} 0");
    }

    @Test
    void successIsOneOnlyForPassAndWarn() {
        String text = prom(ReportFixtures.everyStatus(), null);
        List<String> values = new ArrayList<>();
        for (String line : samples(text, "pgrunbook_step_success")) {
            values.add(line.substring(line.lastIndexOf(' ') + 1));
        }
        // pass, warn, fail, error, skip, fan-out pass, fan-out fail
        assertThat(values).containsExactly("1", "1", "0", "0", "0", "1", "0");
    }

    @Test
    void stepWithoutTargetHasAnEmptyTargetLabel() {
        String text = prom(run(step("x", Status.PASS).target(null).build()).runbook("rb").build(), null);
        assertThat(text).contains("pgrunbook_step_success{runbook=\"rb\",step=\"x\",target=\"\"} 1\n");
    }

    @Test
    void runMetricsRecordExitCodeDurationAndStart() {
        String text = prom(ReportFixtures.everyStatus(), null);
        assertThat(text).contains(
                "pgrunbook_run_exit_code{runbook=\"storage-shard-validation\"} 1\n",
                "pgrunbook_run_duration_seconds{runbook=\"storage-shard-validation\"} 0.84\n",
                "pgrunbook_run_timestamp_seconds{runbook=\"storage-shard-validation\"} 1740794400\n");
    }

    @Test
    void lastSuccessIsThisRunsEndWhenItSucceeds() {
        String text = prom(ReportFixtures.allPass(), PREVIOUS);
        assertThat(samples(text, "pgrunbook_last_success_timestamp_seconds"))
                .containsExactly("pgrunbook_last_success_timestamp_seconds{runbook=\"storage-shard-validation\"} 1740794400.84");
    }

    @Test
    void lastSuccessIsCarriedForwardWhenTheRunFails() {
        for (RunReport failed : List.of(ReportFixtures.everyStatus(),
                run().runError("connection refused", ExitCode.CANNOT_RUN).build())) {
            assertThat(samples(prom(failed, PREVIOUS), "pgrunbook_last_success_timestamp_seconds"))
                    .containsExactly("pgrunbook_last_success_timestamp_seconds{runbook=\"storage-shard-validation\"} 1740708001.25");
        }
    }

    @Test
    void lastSuccessIsNeverInvented() {
        String text = prom(ReportFixtures.everyStatus(), null);
        assertThat(text).doesNotContain("pgrunbook_last_success_timestamp_seconds");
    }
}
