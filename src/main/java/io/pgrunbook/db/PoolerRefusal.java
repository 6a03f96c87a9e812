package io.pgrunbook.db;

import io.pgrunbook.error.ExitCode;
import io.pgrunbook.error.PgRunbookException;

/** The one refusal for work that needs a server session of its own on a target behind transaction pooling. */
public final class PoolerRefusal {
    private PoolerRefusal() {}

    /**
     * @throws PgRunbookException (exit 3) when the target's pooler shares server sessions between clients
     */
    public static void check(TargetPool target, String stepId, String stepType) {
        Pooler pooler = target.pooler();
        if (pooler == null || !pooler.sessionsShared()) {
            return;
        }
        throw new PgRunbookException(ExitCode.CANNOT_RUN, "step '" + stepId + "' (" + stepType + ") needs a database session"
                + " of its own (session settings or locks, statements outside a transaction, or a child tool such as pg_dump), but target '" + target.name()
                + "' (" + target.spec().display() + ") goes through " + pooler.describe() + " [" + pooler.evidence()
                + "]; nothing was run: connect this target to the server directly, or through a pool with pool_mode = session");
    }
}
