package io.pgrunbook.steps.ttl;

import java.time.Duration;
import java.util.List;

/**
 * What a sweep did. Everything counted here is committed: a batch that did not commit is not in it.
 *
 * @param stoppedBy null when every selected scope was swept, else why it stopped early
 * @param refusal   in a dry run, why a real sweep would refuse to delete (null: it would not)
 * @param pendingAfter expired rows left in the swept scopes' range (-1 when not measured, e.g. interrupted)
 * @param deleting  the time spent deleting (first batch to last, pauses included), without the backlog counts
 * @param byBlocks  batches walked the heap by block ranges: per scope, deletes are the backlog's drop
 * @param heldTries direct deletes that met a row another session held
 * @param skipLockedBatches batches that ran again with SKIP LOCKED because a row stayed held
 */
record SweepResult(
        String table,
        List<ScopeResult> scopes,
        long deleted,
        long batches,
        long skippedLocked,
        Duration duration,
        String stoppedBy,
        long pendingAfter,
        double oldestExpiredAgeSeconds,
        long replicaLagPauses,
        long changedSinceSelected,
        Duration longestBatch,
        List<String> plan,
        String planSummary,
        String refusal,
        Duration deleting,
        boolean byBlocks,
        long heldTries,
        long skipLockedBatches) {

    /** The delete rate while deleting: the backlog counts before and after are not deletes. */
    double rowsPerSecond() {
        double s = deleting.toNanos() / 1e9;
        return s <= 0 ? 0 : deleted / s;
    }

    boolean complete() {
        return stoppedBy == null;
    }

    /** One scope: its values (tenant, install, namespace...), what was pending, what the sweep did. */
    record ScopeResult(List<String> values, long pendingBefore, double oldestAgeBefore, long deleted, long batches, long skippedLocked,
            long pendingAfter) {
        String hash() {
            return ScopeHash.of(values);
        }
    }
}
