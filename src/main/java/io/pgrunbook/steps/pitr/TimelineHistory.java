package io.pgrunbook.steps.pitr;

import java.util.ArrayList;
import java.util.List;

/**
 * A timeline history file: one line per ancestor, {@code parentTLI <tab> switchpoint <tab> reason},
 * oldest first. Timeline T's file says where each ancestor ended; T itself begins at the last switch point.
 */
record TimelineHistory(int timeline, List<Entry> entries) {

    record Entry(int timeline, long switchLsn, String reason) {}

    static TimelineHistory parse(int timeline, String text) {
        List<Entry> entries = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+", 3);
            if (f.length < 2) {
                throw new IllegalArgumentException("line '" + line + "' is not 'timeline switchpoint reason'");
            }
            entries.add(new Entry(Integer.parseInt(f[0]), Wal.parseLsn(f[1]), f.length > 2 ? f[2] : ""));
        }
        return new TimelineHistory(timeline, List.copyOf(entries));
    }

    /** Where this timeline begins (0 for timeline 1). */
    long begin() {
        return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).switchLsn();
    }

    /** What is wrong with the file on its own terms: timelines must rise, switch points must not go back. */
    List<String> problems() {
        List<String> out = new ArrayList<>();
        int prevTli = 0;
        long prevLsn = 0;
        for (Entry e : entries) {
            if (e.timeline() <= prevTli || e.timeline() >= timeline) {
                out.add("timeline " + timeline + "'s history lists timeline " + e.timeline() + " out of order");
            }
            if (e.switchLsn() < prevLsn) {
                out.add("timeline " + timeline + "'s history goes back from " + Wal.lsn(prevLsn) + " to " + Wal.lsn(e.switchLsn()));
            }
            prevTli = e.timeline();
            prevLsn = e.switchLsn();
        }
        if (timeline > 1 && entries.isEmpty()) {
            out.add("timeline " + timeline + "'s history file is empty");
        }
        return out;
    }
}
