package io.pgrunbook.steps.pitr;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the recovered server's log says about its recovery: where it stopped and why, the last
 * transaction it replayed, the new timeline, and the FATAL or PANIC that ended a failed one.
 */
record RecoveryLog(String text) {
    private static final Pattern STOPPING = Pattern.compile("recovery stopping [^\\n]*");
    private static final Pattern LAST_TX = Pattern.compile("last completed transaction was at log time ([^\\n]+)");
    private static final Pattern NEW_TIMELINE = Pattern.compile("selected new timeline ID: (\\d+)");
    private static final Pattern REDO_DONE = Pattern.compile("redo done at ([0-9A-F]+/[0-9A-F]+)");
    private static final Pattern CONSISTENT = Pattern.compile("consistent recovery state reached at ([0-9A-F]+/[0-9A-F]+)");
    private static final Pattern FATAL = Pattern.compile("(?:FATAL|PANIC):\\s+[^\\n]*");
    private static final Pattern LAST_RESTORED = Pattern.compile("restored log file \"([0-9A-F]{24})\" from archive");
    private static final Pattern INVALID = Pattern.compile("(?:invalid|incorrect|unexpected|contrecord is requested)[^\\n]*at [0-9A-F]+/[0-9A-F]+[^\\n]*");

    /** "recovery stopping before commit of transaction 725, time 2026-...": the target was reached. */
    Optional<String> stopping() {
        return first(STOPPING, 0);
    }

    Optional<String> lastTransaction() {
        return first(LAST_TX, 1);
    }

    Optional<String> newTimeline() {
        return first(NEW_TIMELINE, 1);
    }

    Optional<String> redoDone() {
        return first(REDO_DONE, 1);
    }

    Optional<String> consistentAt() {
        return first(CONSISTENT, 1);
    }

    /** The last segment restored from the archive. */
    Optional<String> lastRestored() {
        Matcher m = LAST_RESTORED.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        return Optional.ofNullable(last);
    }

    /** A record the server could not read (a corrupt segment ends replay there, as if the WAL ended). */
    Optional<String> invalidRecord() {
        return first(INVALID, 0);
    }

    /** Every FATAL or PANIC line, in order. */
    List<String> fatal() {
        return FATAL.matcher(text).results().map(MatchResult -> MatchResult.group()).toList();
    }

    private Optional<String> first(Pattern p, int group) {
        Matcher m = p.matcher(text);
        return m.find() ? Optional.of(m.group(group).strip()) : Optional.empty();
    }
}
