package io.pgrunbook.steps.restore;

import java.nio.file.Path;

/**
 * What a database's comment says while pgrunbook restores into it: the backup being restored and
 * the safety backup taken before, so a rerun after a kill resumes instead of refusing a database
 * that "holds data" which is only the half-restored backup itself.
 */
record Marker(String backup, Path safety) {
    private static final String SAFETY = " (safety backup: ";

    String text() {
        return backup + SAFETY + (safety == null ? "none" : safety.toString()) + ")";
    }

    /** The marker in a comment's text after {@link TargetDatabase#MARKER}, or null when there is none. */
    static Marker parse(String text) {
        if (text == null) {
            return null;
        }
        int at = text.indexOf(SAFETY);
        if (at < 0 || !text.endsWith(")")) {
            return new Marker(text, null);
        }
        String safety = text.substring(at + SAFETY.length(), text.length() - 1);
        return new Marker(text.substring(0, at), safety.equals("none") ? null : Path.of(safety));
    }
}
