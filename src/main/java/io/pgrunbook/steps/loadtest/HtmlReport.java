package io.pgrunbook.steps.loadtest;

import io.pgrunbook.steps.loadtest.Scenario.Operation;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * A self-contained HTML page of one load test: verdicts, per-operation percentiles, throughput,
 * errors by SQLSTATE, shard attribution, and two inline SVG charts (latency over time; latency by
 * percentile per operation). No script, stylesheet or font is fetched: it opens offline. Written
 * to a temporary file beside the target and moved into place, so a reader never sees half a page.
 */
final class HtmlReport {
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
    private static final double[] SPECTRUM = {0, 50, 75, 90, 95, 99, 99.9, 99.99, 100};
    private static final String[] SPECTRUM_LABELS = {"0", "50", "75", "90", "95", "99", "99.9", "99.99", "max"};
    private static final int W = 760;
    private static final int H = 260;
    private static final int PAD = 50;

    private HtmlReport() {}

    /** What the page says about where it comes from, so that a page kept for months still says what it measured. */
    record Provenance(String runbook, String step, String target, String server, String tool, java.time.Instant at) {
        String title() {
            return "pgrunbook loadtest: " + runbook + " / " + step + " on " + target + ", "
                    + java.time.format.DateTimeFormatter.ISO_LOCAL_DATE.format(at.atOffset(java.time.ZoneOffset.UTC));
        }
    }

    /** Written as every report is (whole or not at all, the same file mode): see ReportFiles. */
    static void write(Path target, Provenance provenance, Scenario scenario, LoadResult result, SloJudge.Verdict verdict) {
        io.pgrunbook.report.ReportFiles.writeText(target, "HTML", render(provenance, scenario, result, verdict));
    }

    static String render(Provenance provenance, Scenario scenario, LoadResult result, SloJudge.Verdict verdict) {
        String title = provenance.title();
        StringBuilder b = new StringBuilder(32_768);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title>\n<style>")
                .append("body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f3f3f3}td.n{text-align:right}")
                .append(".PASS{color:#fff;background:#2e7d32}.FAIL,.ERROR{color:#fff;background:#c62828}.info{color:#666}")
                .append("h1 span{padding:2px 10px;border-radius:4px}svg{background:#fafafa;border:1px solid #ddd}</style></head><body>\n");
        b.append("<h1>").append(esc(title)).append(" <span class=\"").append(verdict.status()).append("\">").append(verdict.status())
                .append("</span></h1>\n<p>");
        if (result.abortReason() != null) {
            b.append("<b>Stopped early:</b> ").append(esc(result.abortReason())).append("<br>");
        }
        b.append("<span class=\"info\">").append(esc("Run at " + java.time.format.DateTimeFormatter.ISO_INSTANT.format(provenance.at())
                + " by " + provenance.tool() + "; runbook " + provenance.runbook() + ", step " + provenance.step() + "; target "
                + provenance.target() + (provenance.server() == null ? "" : " (" + provenance.server() + ")") + "; scenario: "
                + scenario.operations().stream().map(Scenario.Operation::name).collect(java.util.stream.Collectors.joining(", ")) + ".")).append("</span><br>");
        var w = scenario.workload();
        b.append(esc(verdict.slos() - verdict.failed() + " of " + verdict.slos() + " SLOs met. " + SloJudge.rate(result.throughput()) + " over "
                + result.completed() + " operations in " + SloJudge.ms(result.measured().toNanos() / 1000) + " measured; "
                + (w.model() == Scenario.Model.OPEN ? "open model, target " + SloJudge.rate(result.targetRate()) + ", " + result.missedStarts()
                        + " of " + result.scheduled() + " starts missed" : "closed model") + ", " + w.connections() + " connections, seed "
                + scenario.seed() + ". Latency is measured from the intended start."));
        b.append("</p>\n<h2>SLO verdicts</h2>\n<table><tr><th>check</th><th>expected</th><th>observed</th><th>verdict</th></tr>\n");
        for (List<Object> row : verdict.rows()) {
            if ("info".equals(row.get(3))) {
                continue;
            }
            b.append("<tr><td>").append(esc(row.get(0))).append("</td><td>").append(esc(row.get(1))).append("</td><td>").append(esc(row.get(2)))
                    .append("</td><td class=\"").append(esc(row.get(3))).append("\">").append(esc(row.get(3))).append("</td></tr>\n");
        }
        b.append("</table>\n<h2>Operations</h2>\n<table><tr><th>operation</th><th>class</th><th>n</th><th>ops/s</th><th>p50 ms</th><th>p95 ms</th>"
                + "<th>p99 ms</th><th>p99.9 ms</th><th>max ms</th><th>expected errors</th><th>errors by SQLSTATE</th></tr>\n");
        for (Operation op : scenario.operations()) {
            OpTally t = result.operations().get(op.name());
            Histogram h = t.latency;
            b.append("<tr><td>").append(esc(op.name())).append("</td><td>").append(esc(op.opClass())).append("</td><td class=\"n\">")
                    .append(t.completed()).append("</td><td class=\"n\">").append(num(t.completed() / result.seconds()));
            for (double p : new double[] {50, 95, 99, 99.9}) {
                b.append("</td><td class=\"n\">").append(h.getTotalCount() == 0 ? "-" : num(h.getValueAtPercentile(p) / 1000.0));
            }
            b.append("</td><td class=\"n\">").append(h.getTotalCount() == 0 ? "-" : num(h.getMaxValue() / 1000.0)).append("</td><td>")
                    .append(t.expectedByState.isEmpty() ? "" : esc(SloJudge.named(t.expectedByState))).append("</td><td>")
                    .append(t.errorsByState.isEmpty() ? "" : esc(SloJudge.named(t.errorsByState) + "; first: "
                            + t.firstMessageByState.values().iterator().next()))
                    .append("</td></tr>\n");
        }
        b.append("</table>\n<h2>Latency over time (all operations)</h2>\n").append(overTime(result.timeline()));
        b.append("\n<h2>Latency by percentile</h2>\n").append(spectrum(scenario, result));
        if (scenario.shard() != null) {
            b.append("\n<h2>Shards (").append(esc(scenario.shard().key() + ", " + scenario.shard().method())).append(")</h2>\n<p>")
                    .append(esc(SloJudge.skew(result).describe())).append("</p>\n<table><tr><th>shard</th><th>operations</th><th>share</th></tr>\n");
            long total = result.shardCounts().values().stream().mapToLong(Long::longValue).sum();
            for (Map.Entry<String, Long> e : result.shardCounts().entrySet()) {
                b.append("<tr><td>").append(esc(e.getKey())).append("</td><td class=\"n\">").append(e.getValue()).append("</td><td class=\"n\">")
                        .append(esc(SloJudge.percent(total == 0 ? 0 : (double) e.getValue() / total))).append("</td></tr>\n");
            }
            b.append("</table>\n");
        }
        b.append("<p class=\"info\">pgrunbook loadtest</p>\n</body></html>\n");
        return b.toString();
    }

    /** p50, p95 and max per interval against seconds from the start of measurement (warm-up left of 0). */
    private static String overTime(List<Timeline.Point> points) {
        if (points.isEmpty()) {
            return "<p>No interval was sampled (the run was shorter than a second).</p>";
        }
        double x0 = points.get(0).start();
        double x1 = points.get(points.size() - 1).start() + points.get(points.size() - 1).width();
        double yMax = Math.max(1, points.stream().mapToLong(Timeline.Point::p95).max().orElse(1) / 1000.0 * 1.2);
        StringBuilder s = svgStart("latency over time");
        axes(s, x0, x1, yMax, "s from start of measurement (dashed: end of warm-up)", "ms", null);
        String[] names = {"p50", "p95"};
        for (int k = 0; k < 2; k++) {
            StringBuilder path = new StringBuilder();
            for (Timeline.Point p : points) {
                double v = (k == 0 ? p.p50() : p.p95()) / 1000.0;
                path.append(path.length() == 0 ? "M" : "L").append(num(x(p.start() + p.width() / 2, x0, x1))).append(',')
                        .append(num(y(Math.min(v, yMax), yMax)));
            }
            s.append("<path fill=\"none\" stroke-width=\"2\" stroke=\"").append(COLOURS[k]).append("\" d=\"").append(path).append("\"/>")
                    .append(legend(k, names[k]));
        }
        if (x0 < 0) {
            s.append("<line x1=\"").append(num(x(0, x0, x1))).append("\" y1=\"").append(PAD / 2).append("\" x2=\"").append(num(x(0, x0, x1)))
                    .append("\" y2=\"").append(H - PAD).append("\" stroke=\"#999\" stroke-dasharray=\"4\"/>");
        }
        return s.append("</svg>").toString();
    }

    /** Each operation's latency at 0, 50, 75, 90, 95, 99, 99.9, 99.99 and 100 %, evenly spaced. */
    private static String spectrum(Scenario scenario, LoadResult result) {
        double yMax = 1;
        for (OpTally t : result.operations().values()) {
            yMax = Math.max(yMax, t.latency.getValueAtPercentile(99.99) / 1000.0 * 1.1);
        }
        StringBuilder s = svgStart("latency by percentile");
        axes(s, 0, SPECTRUM.length - 1, yMax, "percentile", "ms", SPECTRUM_LABELS);
        int k = 0;
        for (Operation op : scenario.operations()) {
            Histogram h = result.operations().get(op.name()).latency;
            if (h.getTotalCount() == 0) {
                continue;
            }
            StringBuilder path = new StringBuilder();
            for (int i = 0; i < SPECTRUM.length; i++) {
                double v = (SPECTRUM[i] >= 100 ? h.getMaxValue() : h.getValueAtPercentile(SPECTRUM[i])) / 1000.0;
                path.append(i == 0 ? "M" : "L").append(num(x(i, 0, SPECTRUM.length - 1))).append(',').append(num(y(Math.min(v, yMax), yMax)));
            }
            String colour = COLOURS[k % COLOURS.length];
            s.append("<path fill=\"none\" stroke-width=\"2\" stroke=\"").append(colour).append("\" d=\"").append(path).append("\"/>")
                    .append(legend(k, op.name()));
            k++;
        }
        return s.append("</svg>").toString();
    }

    private static StringBuilder svgStart(String label) {
        return new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + W + "\" height=\"" + H + "\" role=\"img\" aria-label=\""
                + label + "\" font-size=\"11\">");
    }

    /** @param xTicks labels at each integer x from x0, or null for five evenly spaced numbers */
    private static void axes(StringBuilder s, double x0, double x1, double yMax, String xLabel, String yLabel, String[] xTicks) {
        s.append("<line x1=\"").append(PAD).append("\" y1=\"").append(H - PAD).append("\" x2=\"").append(W - 10).append("\" y2=\"")
                .append(H - PAD).append("\" stroke=\"#444\"/><line x1=\"").append(PAD).append("\" y1=\"").append(PAD / 2).append("\" x2=\"")
                .append(PAD).append("\" y2=\"").append(H - PAD).append("\" stroke=\"#444\"/>");
        for (int i = 0; i <= 4; i++) {
            double v = yMax * i / 4;
            s.append("<text x=\"4\" y=\"").append(num(y(v, yMax) + 4)).append("\">").append(num(v)).append("</text>");
            if (xTicks == null) {
                double xv = x0 + (x1 - x0) * i / 4;
                s.append("<text x=\"").append(num(x(xv, x0, x1) - 12)).append("\" y=\"").append(H - PAD + 15).append("\">").append(num(xv)).append("</text>");
            }
        }
        for (int i = 0; xTicks != null && i < xTicks.length; i++) {
            s.append("<text x=\"").append(num(x(x0 + i, x0, x1) - 12)).append("\" y=\"").append(H - PAD + 15).append("\">").append(xTicks[i]).append("</text>");
        }
        s.append("<text x=\"").append(W / 2 - 80).append("\" y=\"").append(H - 8).append("\">").append(esc(xLabel)).append("</text>")
                .append("<text x=\"4\" y=\"14\">").append(esc(yLabel)).append("</text>");
    }

    private static String legend(int k, String name) {
        int ly = PAD / 2 + 14 * k;
        return "<rect x=\"" + (W - 150) + "\" y=\"" + (ly - 8) + "\" width=\"10\" height=\"10\" fill=\"" + COLOURS[k % COLOURS.length] + "\"/><text x=\""
                + (W - 135) + "\" y=\"" + ly + "\">" + esc(name) + "</text>";
    }

    private static double x(double v, double x0, double x1) {
        return PAD + (W - 30 - PAD) * (x1 == x0 ? 0 : (v - x0) / (x1 - x0));
    }

    private static double y(double v, double yMax) {
        return H - PAD - (H - PAD - PAD / 2.0) * (v / yMax);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.2f", v);
    }

    static String esc(Object o) {
        String t = String.valueOf(o);
        StringBuilder sb = new StringBuilder(t.length());
        for (char c : t.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
