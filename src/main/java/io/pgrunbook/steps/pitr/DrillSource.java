package io.pgrunbook.steps.pitr;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Where a drill's base backup and WAL come from: a pgrunbook physical backup with an archive directory, or a pgBackRest stanza. */
interface DrillSource {
    /** For messages: the backup and the archive. */
    String describe();

    /** A short label for metrics (the backup's name prefix or the stanza). */
    String label();

    /** Where the base backup's WAL starts. */
    Wal.Start start();

    /** Where its WAL ends: the earliest point a recovery can stop at. */
    long endLsn();

    /** When the base backup ended: a target time before it cannot be reached from this backup. */
    Instant backupEnd();

    /** The cluster's system identifier, when known. */
    Long systemId();

    /** Bytes the restored data directory needs (about the cluster's size). */
    long estimatedSize();

    /** What is wrong with the stored backup itself before any restore (files against their manifest), each named. */
    List<String> storedProblems() throws IOException;

    /** The archive recovery reads. */
    WalArchive archive() throws IOException;

    /**
     * Restores the base backup into {@code sandboxDirectory/data}, ready for recovery to {@code target}, and
     * returns the server settings recovery needs (restore_command, targets) beyond what the files hold.
     *
     * @throws DrillFailure when the stored backup turns out to be unusable (it does not verify)
     */
    Map<String, String> restore(Path sandboxDirectory, PitrTarget target) throws IOException;

    /** A fault of the backup found while restoring it: the drill FAILs with this message. */
    final class DrillFailure extends IOException {
        DrillFailure(String message) {
            super(message);
        }
    }
}
