package io.pgrunbook.steps.pitr;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a WAL archive holds, by name: segments per timeline (with size and archive time), timeline
 * history files (their text) and backup history files. Built from a directory that an
 * archive_command copies into, or from a pgBackRest repository listing.
 */
final class WalArchive {
    /** One archived file: {@code path} is null when the file is not on a local file system (a pgBackRest repository). */
    record ArchivedFile(String name, long size, Instant time, Path path) {}

    private final String location;
    private final long segmentSize;
    private final Map<Wal.Segment, ArchivedFile> segments = new TreeMap<>();
    private final Map<Integer, String> histories = new TreeMap<>();
    private final List<Wal.Start> backupStarts = new ArrayList<>();
    private final boolean plainSegments;

    private WalArchive(String location, long segmentSize, boolean plainSegments) {
        this.location = location;
        this.segmentSize = segmentSize;
        this.plainSegments = plainSegments;
    }

    /** The files an archive_command copied into {@code dir}; the segment size is the one the files have unless given. */
    static WalArchive ofDirectory(Path dir, Long segmentSize) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("the WAL archive " + dir + " is not a directory");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        long size = segmentSize != null ? segmentSize : commonSegmentSize(files);
        WalArchive a = new WalArchive(dir.toString(), size, true);
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (Wal.historyTimeline(name) > 0) {
                a.histories.put(Wal.historyTimeline(name), Files.readString(f));
            } else {
                a.add(new ArchivedFile(name, Files.size(f), Files.getLastModifiedTime(f).toInstant(), f));
            }
        }
        return a;
    }

    /** A listing from elsewhere (pgBackRest), with the history files' texts by timeline. */
    static WalArchive of(String location, long segmentSize, List<ArchivedFile> files, Map<Integer, String> histories) {
        WalArchive a = new WalArchive(location, segmentSize, false);
        files.forEach(a::add);
        a.histories.putAll(histories);
        return a;
    }

    private void add(ArchivedFile f) {
        Wal.Segment s = Wal.parseSegment(f.name(), segmentSize);
        if (s != null) {
            segments.put(s, f);
            return;
        }
        Wal.Start start = Wal.backupLabelStart(f.name(), segmentSize);
        if (start != null) {
            backupStarts.add(start);
        }
    }

    /** The most common size of plain segment files (all of them are one size), else 16 MB. */
    private static long commonSegmentSize(List<Path> files) throws IOException {
        Map<Long, Integer> counts = new HashMap<>();
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (name.matches("[0-9A-F]{24}")) {
                long size = Files.size(f);
                if (size >= 1 << 20 && Long.bitCount(size) == 1) {
                    counts.merge(size, 1, Integer::sum);
                }
            }
        }
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(Wal.DEFAULT_SEGMENT_SIZE);
    }

    String location() {
        return location;
    }

    long segmentSize() {
        return segmentSize;
    }

    Map<Wal.Segment, ArchivedFile> segments() {
        return segments;
    }

    Map<Integer, String> histories() {
        return histories;
    }

    /** Where the oldest base backup recorded in the archive (a .backup file) starts, if any. */
    Wal.Start oldestBackupStart() {
        return backupStarts.stream().min(Comparator.comparingLong(Wal.Start::lsn)).orElse(null);
    }

    /** The highest timeline with a segment or a history file (what recovery_target_timeline=latest picks). */
    int latestTimeline() {
        int max = histories.keySet().stream().mapToInt(Integer::intValue).max().orElse(1);
        return Math.max(max, segments.keySet().stream().mapToInt(Wal.Segment::timeline).max().orElse(1));
    }

    /**
     * What is wrong with a plain segment file on its own: its size, and its first page's long header
     * (the page address must be the segment's own start, the segment size the archive's, the system
     * identifier the same as {@code systemId} when known). Null when it looks sound.
     */
    String headerProblem(Wal.Segment s, ArchivedFile f, Long systemId) throws IOException {
        if (!plainSegments || f.path() == null) {
            return null;
        }
        if (f.size() != segmentSize) {
            return "segment " + f.name() + " has " + f.size() + " bytes, not " + segmentSize + " (truncated or not a WAL segment)";
        }
        byte[] head = new byte[40];
        try (InputStream in = Files.newInputStream(f.path())) {
            if (in.readNBytes(head, 0, head.length) < head.length) {
                return "segment " + f.name() + " is too short to hold a page header";
            }
        }
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        int info = b.getShort(2) & 0xFFFF;
        long pageAddress = b.getLong(8);
        long sysid = b.getLong(24);
        long segSize = b.getInt(32) & 0xFFFFFFFFL;
        if ((info & 0x0002) == 0 || pageAddress != s.number() * segmentSize || segSize != segmentSize) {
            return "segment " + f.name() + " is corrupt: its first page header says address " + Wal.lsn(pageAddress)
                    + " and segment size " + segSize + ", expected " + Wal.lsn(s.number() * segmentSize) + " and " + segmentSize;
        }
        if (systemId != null && sysid != systemId) {
            return "segment " + f.name() + " belongs to another cluster: system identifier " + Long.toUnsignedString(sysid)
                    + ", the backup's is " + Long.toUnsignedString(systemId);
        }
        return null;
    }
}
