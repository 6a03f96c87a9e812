package io.pgrunbook.engine;

/**
 * A step asked for another of the runbook's targets (a shard, a replica, the server behind a pooler)
 * that is not open: it could not be reached, or the runbook has no such target. The step reports an
 * ERROR with this message, as a step on an unavailable target of its own does; step types that
 * check several targets catch it and report that one as unreachable.
 */
public final class TargetUnavailableException extends IllegalArgumentException {
    public TargetUnavailableException(String message) {
        super(message);
    }
}
