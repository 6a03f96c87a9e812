package io.pgrunbook.runbook;

/** One mistake in a runbook, located so an editor can jump to it. */
public record Problem(SourceLocation location, String message) {
    @Override
    public String toString() {
        return location + ": " + message;
    }
}
