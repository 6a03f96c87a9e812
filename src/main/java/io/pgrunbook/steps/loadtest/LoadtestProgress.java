package io.pgrunbook.steps.loadtest;

import java.io.PrintWriter;
import java.util.function.Consumer;

/**
 * Where live progress goes: nowhere unless the CLI, knowing a person watches a terminal and did not
 * ask for quiet, points it at stderr for the length of a run. Steps have no terminal of their own,
 * so this one process-wide switch is how the subcommand reaches them.
 */
public final class LoadtestProgress {
    private static volatile PrintWriter out;

    private LoadtestProgress() {}

    /** Sends progress lines to {@code stream} until the returned handle is closed. */
    public static Handle to(PrintWriter stream) {
        out = stream;
        return () -> out = null;
    }

    /** Closing it stops the progress. */
    public interface Handle extends AutoCloseable {
        @Override
        void close();
    }

    static Consumer<String> sink() {
        PrintWriter s = out;
        return s == null ? null : line -> {
            s.print("\r" + line + "   ");
            s.flush();
        };
    }

    /** Ends the progress line, so what follows starts on a fresh one. */
    static void end() {
        PrintWriter s = out;
        if (s != null) {
            s.println();
        }
    }
}
