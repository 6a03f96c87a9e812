package io.pgrunbook.error;

/**
 * A failure the user can act on. It carries the exit code it ends the process with, and its
 * message says what failed, where, and what to do next; it is printed without a stack trace.
 */
public class PgRunbookException extends RuntimeException {
    private final ExitCode exitCode;

    public PgRunbookException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public PgRunbookException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    public static PgRunbookException invalid(String message) {
        return new PgRunbookException(ExitCode.INVALID, message);
    }

    public static PgRunbookException cannotRun(String message) {
        return new PgRunbookException(ExitCode.CANNOT_RUN, message);
    }

    public static PgRunbookException cannotRun(String message, Throwable cause) {
        return new PgRunbookException(ExitCode.CANNOT_RUN, message, cause);
    }
}
