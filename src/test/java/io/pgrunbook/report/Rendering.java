package io.pgrunbook.report;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

final class Rendering {
    private Rendering() {}

    static String render(ReportFormat format, RenderOptions options, RunReport report) {
        StringWriter out = new StringWriter();
        try {
            ReportRenderer.of(format, options).render(report, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static String render(ReportFormat format, RunReport report) {
        return render(format, RenderOptions.defaults(), report);
    }
}
