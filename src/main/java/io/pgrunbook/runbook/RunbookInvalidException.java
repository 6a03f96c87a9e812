package io.pgrunbook.runbook;

import io.pgrunbook.error.ExitCode;
import io.pgrunbook.error.PgRunbookException;
import java.util.List;
import java.util.stream.Collectors;

/** Every problem found while loading a runbook, reported at once (exit 2). */
public final class RunbookInvalidException extends PgRunbookException {
    private final List<Problem> problems;

    public RunbookInvalidException(List<Problem> problems) {
        super(ExitCode.INVALID, format(problems));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    /** At most this many are printed: a generated file with 20,000 faulty steps needs the first few, not a flood. */
    static final int MAX_SHOWN = 50;

    private static String format(List<Problem> problems) {
        String count = problems.size() == 1 ? "1 problem" : problems.size() + " problems";
        String shown = problems.stream().limit(MAX_SHOWN).map(p -> "  " + p).collect(Collectors.joining("\n"));
        return "invalid runbook (" + count + "):\n" + shown + (problems.size() > MAX_SHOWN
                ? "\n  ... and " + (problems.size() - MAX_SHOWN) + " more problems: fix these first" : "");
    }
}
