package io.pgrunbook.steps.backup;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Which complete backups of one database to remove. A backup is kept when it is among the newest
 * {@code keepLast}, or younger than {@code keepDays}; with both, it must fall outside both to go.
 * The newest is always kept; partial backups (being written, failed, killed) are never considered.
 */
record Retention(Integer keepLast, Integer keepDays) {

    boolean enabled() {
        return keepLast != null || keepDays != null;
    }

    List<BackupLayout.Complete> toRemove(Path root, String prefix, Instant now) throws IOException {
        if (!enabled()) {
            return List.of();
        }
        List<BackupLayout.Complete> all = BackupLayout.complete(root, prefix);
        List<BackupLayout.Complete> remove = new ArrayList<>();
        for (int i = 1; i < all.size(); i++) {
            BackupLayout.Complete b = all.get(i);
            boolean keptByCount = keepLast != null && i < keepLast;
            boolean keptByAge = keepDays != null && Duration.between(b.takenAt(), now).compareTo(Duration.ofDays(keepDays)) < 0;
            if (!keptByCount && !keptByAge) {
                remove.add(b);
            }
        }
        return remove;
    }

    String describe() {
        List<String> parts = new ArrayList<>();
        if (keepLast != null) {
            parts.add("the newest " + keepLast);
        }
        if (keepDays != null) {
            parts.add("those younger than " + keepDays + " days");
        }
        return "keep " + String.join(" and ", parts) + " (the newest always; partial backups are never removed)";
    }
}
