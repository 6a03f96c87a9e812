package io.pgrunbook.report;

import java.time.Instant;
import java.util.function.UnaryOperator;

/**
 * How to render a report.
 *
 * @param color               ANSI colours in text output (never in files)
 * @param quiet               text output for cron: nothing on success, only failures otherwise
 * @param previousLastSuccess the last successful run's end, carried forward into the Prometheus
 *                            last-success metric when this run fails; null when unknown
 * @param redact              applied to the rendered text before it is written: the last line of
 *                            defence that keeps a password out of every report
 */
public record RenderOptions(boolean color, boolean quiet, Instant previousLastSuccess, UnaryOperator<String> redact) {

    public RenderOptions {
        redact = redact == null ? UnaryOperator.identity() : redact;
    }

    public RenderOptions(boolean color, boolean quiet, Instant previousLastSuccess) {
        this(color, quiet, previousLastSuccess, null);
    }

    public static RenderOptions defaults() {
        return new RenderOptions(false, false, null);
    }

    public RenderOptions withColor(boolean newColor) {
        return new RenderOptions(newColor, quiet, previousLastSuccess, redact);
    }

    /** -q quietens the terminal only: a report file always holds every step. */
    public RenderOptions withQuiet(boolean newQuiet) {
        return new RenderOptions(color, newQuiet, previousLastSuccess, redact);
    }

    public RenderOptions withPreviousLastSuccess(Instant instant) {
        return new RenderOptions(color, quiet, instant, redact);
    }

    public RenderOptions withRedaction(UnaryOperator<String> filter) {
        return new RenderOptions(color, quiet, previousLastSuccess, filter);
    }
}
