package io.pgrunbook.cli;

import io.pgrunbook.steps.backup.BackupToolkit;
import java.io.IOException;
import java.nio.file.Path;

/** Whether verify-backup was given a physical backup (or a directory whose newest backup is one), which only a PITR drill verifies. */
final class PitrChoice {
    private PitrChoice() {}

    static boolean isPhysical(Path backup, Path latestIn) {
        try {
            Path chosen = backup != null ? backup : latestIn == null ? null : BackupToolkit.latest(latestIn).orElse(null);
            return chosen != null && BackupToolkit.isPhysical(chosen);
        } catch (IOException e) {
            return false;
        }
    }
}
