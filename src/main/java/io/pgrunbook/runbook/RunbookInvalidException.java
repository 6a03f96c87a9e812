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

    private static String format(List<Problem> problems) {
        String count = problems.size() == 1 ? "1 problem" : problems.size() + " problems";
        return "invalid runbook (" + count + "):\n"
                + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"));
    }
}
