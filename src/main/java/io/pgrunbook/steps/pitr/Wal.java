package io.pgrunbook.steps.pitr;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * WAL positions and file names as PostgreSQL writes them: an LSN {@code X/Y}, a segment file
 * {@code TTTTTTTTXXXXXXXXYYYYYYYY} (timeline, then the segment number split in two), a timeline
 * history file {@code TTTTTTTT.history}, a backup history file {@code <segment>.<offset>.backup}.
 */
final class Wal {
    static final long DEFAULT_SEGMENT_SIZE = 16L * 1024 * 1024;
    private static final Pattern LSN = Pattern.compile("([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})");
    private static final Pattern SEGMENT = Pattern.compile("([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})");
    private static final Pattern HISTORY = Pattern.compile("([0-9A-F]{8})\\.history");
    private static final Pattern BACKUP_LABEL = Pattern.compile("([0-9A-F]{24})\\.([0-9A-F]{8})\\.backup");

    private Wal() {}

    /** A segment: its timeline and its number (LSN / segment size). */
    record Segment(int timeline, long number) implements Comparable<Segment> {
        @Override
        public int compareTo(Segment o) {
            int c = Long.compare(number, o.number);
            return c != 0 ? c : Integer.compare(timeline, o.timeline);
        }
    }

    static long parseLsn(String text) {
        Matcher m = LSN.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an LSN (expected the form 0/3000148)");
        }
        return (Long.parseLong(m.group(1), 16) << 32) | Long.parseLong(m.group(2), 16);
    }

    static String lsn(long value) {
        return String.format(Locale.ROOT, "%X/%X", value >>> 32, value & 0xFFFFFFFFL);
    }

    static long segmentsPerId(long segmentSize) {
        return 0x100000000L / segmentSize;
    }

    static String segmentName(int timeline, long number, long segmentSize) {
        long perId = segmentsPerId(segmentSize);
        return String.format(Locale.ROOT, "%08X%08X%08X", timeline, number / perId, number % perId);
    }

    static String segmentName(Segment s, long segmentSize) {
        return segmentName(s.timeline(), s.number(), segmentSize);
    }

    /** The segment a plain segment file name (optionally followed by pgBackRest's {@code -sha1[.ext]}) stands for. */
    static Segment parseSegment(String fileName, long segmentSize) {
        if (fileName.length() < 24) {
            return null;
        }
        String head = fileName.substring(0, 24);
        String rest = fileName.substring(24);
        if (!rest.isEmpty() && !rest.matches("-[0-9a-f]{40}(\\.[a-z0-9]+)?")) {
            return null;
        }
        Matcher m = SEGMENT.matcher(head);
        if (!m.matches()) {
            return null;
        }
        long id = Long.parseLong(m.group(2), 16);
        long seg = Long.parseLong(m.group(3), 16);
        if (seg >= segmentsPerId(segmentSize)) {
            return null;
        }
        return new Segment(Integer.parseUnsignedInt(m.group(1), 16), id * segmentsPerId(segmentSize) + seg);
    }

    /** The timeline of a history file name, or -1. */
    static int historyTimeline(String fileName) {
        Matcher m = HISTORY.matcher(fileName);
        return m.matches() ? Integer.parseUnsignedInt(m.group(1), 16) : -1;
    }

    /** The start (timeline and LSN) a backup history file's name records, or null. */
    static Start backupLabelStart(String fileName, long segmentSize) {
        Matcher m = BACKUP_LABEL.matcher(fileName);
        if (!m.matches()) {
            return null;
        }
        Segment s = parseSegment(m.group(1), segmentSize);
        return s == null ? null : new Start(s.timeline(), s.number() * segmentSize + Long.parseLong(m.group(2), 16));
    }

    /** Where a base backup's WAL starts. */
    record Start(int timeline, long lsn) {}
}
