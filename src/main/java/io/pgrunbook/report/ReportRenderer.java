package io.pgrunbook.report;

import java.io.IOException;
import java.io.Writer;

/**
 * Turns a report into one output format. Renderers do not close {@code out}; JUnit XML declares
 * UTF-8, so a writer behind a byte stream must encode UTF-8.
 */
public interface ReportRenderer {

    void render(RunReport report, Writer out) throws IOException;

    static ReportRenderer of(ReportFormat format, RenderOptions options) {
        RenderOptions o = options == null ? RenderOptions.defaults() : options;
        ReportRenderer renderer = switch (format) {
            case TEXT -> new TextRenderer(o);
            case JSON -> new JsonRenderer();
            case JUNIT -> new JUnitRenderer();
            case PROMETHEUS -> new PrometheusRenderer(o);
            case NAGIOS -> new NagiosRenderer();
        };
        return (report, out) -> {
            java.io.StringWriter buffer = new java.io.StringWriter();
            renderer.render(report, buffer);
            out.write(o.redact().apply(buffer.toString()));
        };
    }
}
