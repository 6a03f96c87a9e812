package io.pgrunbook.error;

/** The process exit codes, the contract that cron jobs and CI pipelines rely on. */
public enum ExitCode {
    OK(0, "every critical step passed (warnings allowed)"),
    CHECK_FAILED(1, "a critical step failed, a step could not be evaluated, or no step ran"),
    INVALID(2, "invalid usage or runbook"),
    CANNOT_RUN(3, "could not run: cannot connect, bad password, lock held, tool missing, unsupported server"),
    INTERNAL(4, "internal error (a bug: please report it with the output of -v)"),
    INTERRUPTED(130, "interrupted (Ctrl-C); the partial report was written");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }
}
