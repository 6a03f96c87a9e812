package io.pgrunbook.report;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One Nagios plugin status line: {@code PGRUNBOOK CRITICAL - health: 1 failed (blocked), 2 warnings (...) | perfdata}.
 * Any FAIL is CRITICAL; otherwise an ERROR, a run that could not start or nothing judged is UNKNOWN;
 * otherwise any WARN is WARNING; else OK. Performance data comes from the checks' measures and thresholds.
 */
public final class NagiosRenderer implements ReportRenderer {
    public static final int OK = 0;
    public static final int WARNING = 1;
    public static final int CRITICAL = 2;
    public static final int UNKNOWN = 3;
    private static final String[] NAMES = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

    /** The Nagios exit code of a run. */
    public static int exitCode(RunReport report) {
        if (report.runError() != null || report.interrupted()) {
            return UNKNOWN;
        }
        if (report.count(Status.FAIL) > 0) {
            return CRITICAL;
        }
        if (report.count(Status.ERROR) > 0 || report.overall() == Status.SKIP) {
            return UNKNOWN;
        }
        return report.count(Status.WARN) > 0 ? WARNING : OK;
    }

    @Override
    public void render(RunReport report, Writer out) throws IOException {
        int code = exitCode(report);
        StringBuilder b = new StringBuilder("PGRUNBOOK ").append(NAMES[code]).append(" - ").append(report.runbook()).append(": ");
        if (report.runError() != null) {
            b.append(oneLine(report.runError()));
        } else {
            List<String> parts = new ArrayList<>();
            part(parts, report, Status.FAIL, "failed");
            part(parts, report, Status.ERROR, "errors");
            part(parts, report, Status.WARN, "warnings");
            parts.add(report.count(Status.PASS) + " passed");
            if (report.count(Status.SKIP) > 0) {
                parts.add(report.count(Status.SKIP) + " skipped");
            }
            b.append(String.join(", ", parts));
        }
        String perf = perfdata(report);
        if (!perf.isEmpty()) {
            b.append(" |").append(perf);
        }
        out.write(b.append('\n').toString());
        out.flush();
    }

    private static void part(List<String> parts, RunReport report, Status status, String word) {
        List<String> ids = report.steps().stream().filter(s -> s.status() == status).map(StepResult::stepId).toList();
        if (!ids.isEmpty()) {
            parts.add(ids.size() + " " + word + " (" + String.join(", ", ids) + ")");
        }
    }

    /** 'label'=value;warn;crit per check measure, as the plugin guidelines write it. */
    private static String perfdata(RunReport report) {
        StringBuilder b = new StringBuilder();
        for (StepResult step : report.steps()) {
            for (StepResult leaf : step.leaves()) {
                Double value = null;
                Double warn = null;
                Double crit = null;
                for (Metric m : leaf.metrics()) {
                    switch (m.name()) {
                        case "pgrunbook_check_value" -> value = m.value();
                        case "pgrunbook_check_warning_threshold" -> warn = m.value();
                        case "pgrunbook_check_critical_threshold" -> crit = m.value();
                        default -> { }
                    }
                }
                if (value == null || value.isInfinite() || value.isNaN()) {
                    continue;
                }
                String label = step.stepId() + (leaf.target() != null && step.isFannedOut() ? "@" + leaf.target() : "");
                b.append(" '").append(label.replace("'", "''")).append("'=").append(number(value))
                        .append(';').append(warn == null ? "" : number(warn)).append(';').append(crit == null ? "" : number(crit));
            }
        }
        return b.toString();
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ').replace('|', '/');
    }
}
