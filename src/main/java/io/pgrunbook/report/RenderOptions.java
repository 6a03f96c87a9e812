package io.pgrunbook.report;

import java.time.Instant;

/**
 * How to render a report.
 *
 * @param color               ANSI colours in text output (never in files)
 * @param quiet               text output for cron: nothing on success, only failures otherwise
 * @param previousLastSuccess the last successful run's end, carried forward into the Prometheus
 *                            last-success metric when this run fails; null when unknown
 */
public record RenderOptions(boolean color, boolean quiet, Instant previousLastSuccess) {

    public static RenderOptions defaults() {
        return new RenderOptions(false, false, null);
    }

    public RenderOptions withColor(boolean newColor) {
        return new RenderOptions(newColor, quiet, previousLastSuccess);
    }

    public RenderOptions withPreviousLastSuccess(Instant instant) {
        return new RenderOptions(color, quiet, instant);
    }
}
