package io.pgrunbook.cli;

import io.pgrunbook.error.ExitCode;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP during a run: the first cancels the run (statements are cancelled on
 * the server and the partial report is written); a second one ends the process at once.
 */
final class Interrupts implements AutoCloseable {
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    private Interrupts() {}

    static Interrupts onInterrupt(Runnable cancel) {
        Interrupts interrupts = new Interrupts();
        boolean[] seen = {false};
        SignalHandler handler = sig -> {
            if (seen[0]) {
                Runtime.getRuntime().halt(ExitCode.INTERRUPTED.code());
            }
            seen[0] = true;
            System.err.println("\npgrunbook: interrupted; cancelling running statements and writing the partial report "
                    + "(press Ctrl-C again to quit at once)");
            cancel.run();
        };
        // SIGHUP (a closed ssh session) is handled like SIGTERM: the run is cancelled and its children stopped.
        for (String name : List.of("INT", "TERM", "HUP")) {
            try {
                Signal signal = new Signal(name);
                interrupts.previous.add(Signal.handle(signal, handler));
                interrupts.signals.add(signal);
            } catch (IllegalArgumentException e) {
                // The platform has no such signal, or the JVM reserves it (-Xrs): the default applies.
            }
        }
        return interrupts;
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}
