package io.pgrunbook.report;

import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metrics for node_exporter's textfile collector, documented in docs/metrics.md. Every family is
 * written as one block (HELP, TYPE, samples), as the exposition format requires.
 */
public final class PrometheusRenderer implements ReportRenderer {
    public static final String LAST_SUCCESS = "pgrunbook_last_success_timestamp_seconds";
    private static final List<Status> STATUS_ORDER = List.of(Status.PASS, Status.WARN, Status.FAIL, Status.ERROR, Status.SKIP);

    private final RenderOptions options;

    public PrometheusRenderer(RenderOptions options) {
        this.options = options == null ? RenderOptions.defaults() : options;
    }

    @Override
    public void render(RunReport report, Writer out) throws IOException {
        String runbook = report.runbook() == null ? "" : report.runbook();
        Map<String, String> run = labels("runbook", runbook);
        List<String[]> leaves = new ArrayList<>();
        List<StepResult> leafResults = new ArrayList<>();
        for (StepResult step : report.steps()) {
            for (StepResult leaf : step.leaves()) {
                leaves.add(new String[] {step.stepId() == null ? "" : step.stepId(), leaf.target() == null ? "" : leaf.target()});
                leafResults.add(leaf);
            }
        }

        StringBuilder b = new StringBuilder();
        family(b, "pgrunbook_step_status", "Outcome of a step on one target: 1 for its status, 0 for the other four.");
        for (int i = 0; i < leaves.size(); i++) {
            for (Status s : STATUS_ORDER) {
                Map<String, String> l = stepLabels(runbook, leaves.get(i));
                l.put("status", s.key());
                sample(b, "pgrunbook_step_status", l, leafResults.get(i).status() == s ? "1" : "0");
            }
        }
        family(b, "pgrunbook_step_success", "1 when a step passed on one target (PASS or WARN), 0 for FAIL, ERROR and SKIP.");
        for (int i = 0; i < leaves.size(); i++) {
            Status s = leafResults.get(i).status();
            sample(b, "pgrunbook_step_success", stepLabels(runbook, leaves.get(i)),
                    s == Status.PASS || s == Status.WARN ? "1" : "0");
        }
        family(b, "pgrunbook_step_duration_seconds", "How long a step took on one target.");
        for (int i = 0; i < leaves.size(); i++) {
            sample(b, "pgrunbook_step_duration_seconds", stepLabels(runbook, leaves.get(i)),
                    TextFormatting.seconds(leafResults.get(i).duration()));
        }
        stepMetrics(b, runbook, report);
        family(b, "pgrunbook_run_exit_code", "The run's exit code: 0 ok, 1 check failed, 2 invalid, 3 cannot run, 4 internal, 130 interrupted.");
        sample(b, "pgrunbook_run_exit_code", run, String.valueOf(report.exitCode().code()));
        family(b, "pgrunbook_run_duration_seconds", "How long the run took.");
        sample(b, "pgrunbook_run_duration_seconds", run, TextFormatting.seconds(report.duration()));
        if (report.startedAt() != null) {
            family(b, "pgrunbook_run_timestamp_seconds", "When the run started, in seconds since the epoch.");
            sample(b, "pgrunbook_run_timestamp_seconds", run, epochSeconds(report.startedAt()));
        }
        Instant lastSuccess = lastSuccess(report, options.previousLastSuccess());
        if (lastSuccess != null) {
            family(b, LAST_SUCCESS, "When the last run that exited 0 ended, in seconds since the epoch.");
            sample(b, LAST_SUCCESS, run, epochSeconds(lastSuccess));
        }
        out.write(b.toString());
        out.flush();
    }

    /** Each metric family the step types reported, once, with runbook, step and target labels in front. */
    private static void stepMetrics(StringBuilder b, String runbook, RunReport report) {
        Map<String, List<String>> families = new LinkedHashMap<>();
        Map<String, Metric> first = new LinkedHashMap<>();
        for (StepResult step : report.steps()) {
            for (StepResult leaf : step.leaves()) {
                for (Metric m : leaf.metrics()) {
                    Map<String, String> l = stepLabels(runbook, new String[] {step.stepId() == null ? "" : step.stepId(),
                            leaf.target() == null ? "" : leaf.target()});
                    m.labels().forEach(l::putIfAbsent);
                    StringBuilder line = new StringBuilder();
                    sample(line, m.name(), l, TextFormatting.number(m.value()));
                    families.computeIfAbsent(m.name(), k -> new ArrayList<>()).add(line.toString());
                    first.putIfAbsent(m.name(), m);
                }
            }
        }
        families.forEach((name, lines) -> {
            Metric m = first.get(name);
            b.append("# HELP ").append(name).append(' ').append(m.help().replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
            b.append("# TYPE ").append(name).append(' ').append(m.type()).append('\n');
            lines.forEach(b::append);
        });
    }

    /** This run's end when it exited 0, else the carried-forward value (possibly null: never invented). */
    static Instant lastSuccess(RunReport report, Instant previous) {
        if (report.exitCode().code() == 0 && report.startedAt() != null) {
            return report.duration() == null ? report.startedAt() : report.startedAt().plus(report.duration());
        }
        return previous;
    }

    private static Map<String, String> labels(String name, String value) {
        Map<String, String> l = new LinkedHashMap<>();
        l.put(name, value);
        return l;
    }

    private static Map<String, String> stepLabels(String runbook, String[] stepAndTarget) {
        Map<String, String> l = labels("runbook", runbook);
        l.put("step", stepAndTarget[0]);
        l.put("target", stepAndTarget[1]);
        return l;
    }

    private static void family(StringBuilder b, String name, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(" gauge\n");
    }

    private static void sample(StringBuilder b, String name, Map<String, String> labels, String value) {
        b.append(name).append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            b.append(first ? "" : ",").append(e.getKey()).append("=\"").append(escape(e.getValue())).append('"');
            first = false;
        }
        b.append("} ").append(value).append('\n');
    }

    /** Label value escaping per the text exposition format: backslash, double quote, newline. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String epochSeconds(Instant instant) {
        return TextFormatting.millisAsSeconds(instant.toEpochMilli());
    }
}
