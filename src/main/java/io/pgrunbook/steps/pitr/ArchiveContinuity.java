package io.pgrunbook.steps.pitr;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether recovery can replay an archive from a base backup's start to its newest segment: the
 * timelines it follows (the target timeline's history back to the backup's), then every segment
 * from the backup's start to the newest one on those timelines, each present (on the timeline
 * recovery asks for it on) and sound, and the history files consistent with each other.
 */
final class ArchiveContinuity {

    /**
     * @param path          timeline to where it begins (LSN), oldest first
     * @param firstMissing  the first segment recovery needs that is not archived, or null
     * @param newest        the newest segment on the path, or null when none from the start on
     * @param problems      every fault found, the first missing segment first
     */
    record Result(int targetTimeline, Map<Integer, Long> path, long segmentSize, long startSegment, long newestSegment,
            long checked, String firstMissing, long missing, String newest, Instant newestTime, List<String> problems) {
        boolean ok() {
            return problems.isEmpty();
        }

        /** The timeline recovery reads segment {@code number} from: the newest on the path that began by then. */
        int timelineOf(long number) {
            int tli = path.keySet().iterator().next();
            for (Map.Entry<Integer, Long> e : path.entrySet()) {
                if (e.getValue() / segmentSize <= number) {
                    tli = e.getKey();
                }
            }
            return tli;
        }

        String segmentName(long number) {
            return Wal.segmentName(timelineOf(number), number, segmentSize);
        }
    }

    private ArchiveContinuity() {}

    /**
     * @param targetTimeline the timeline to follow, or 0 for the latest in the archive
     * @param systemId       the cluster's system identifier when known (every segment must carry it)
     */
    static Result check(WalArchive archive, Wal.Start start, int targetTimeline, Long systemId) throws IOException {
        long segSize = archive.segmentSize();
        int target = targetTimeline > 0 ? targetTimeline : Math.max(archive.latestTimeline(), start.timeline());
        List<String> problems = new ArrayList<>();
        Map<Integer, TimelineHistory> histories = new LinkedHashMap<>();
        archive.histories().forEach((tli, text) -> {
            try {
                TimelineHistory h = TimelineHistory.parse(tli, text);
                histories.put(tli, h);
                problems.addAll(h.problems());
            } catch (IllegalArgumentException e) {
                problems.add("timeline history file " + String.format("%08X.history", tli) + " is unreadable: " + e.getMessage());
            }
        });
        problems.addAll(historyChain(histories));
        Map<Integer, Long> path = new LinkedHashMap<>();
        if (target > 1 && !histories.containsKey(target)) {
            problems.add("timeline " + target + " has segments but no history file " + String.format("%08X.history", target)
                    + ": recovery cannot follow it");
            path.put(target, 0L);
        } else {
            TimelineHistory h = histories.get(target);
            long begin = 0;
            if (h != null) {
                for (TimelineHistory.Entry e : h.entries()) {
                    path.put(e.timeline(), begin);
                    begin = e.switchLsn();
                }
            }
            path.put(target, begin);
        }
        if (!path.containsKey(start.timeline())) {
            problems.add("the base backup is on timeline " + start.timeline() + ", which is not an ancestor of timeline " + target
                    + " (its history: " + path.keySet() + ")");
        }
        long startSeg = start.lsn() / segSize;
        Result shape = new Result(target, path, segSize, startSeg, startSeg, 0, null, 0, null, null, List.of());
        long newestSeg = -1;
        for (Wal.Segment s : archive.segments().keySet()) {
            if (s.number() >= startSeg && path.containsKey(s.timeline()) && shape.timelineOf(s.number()) == s.timeline()) {
                newestSeg = Math.max(newestSeg, s.number());
            }
        }
        String firstMissing = null;
        long missing = 0;
        List<String> segmentProblems = new ArrayList<>();
        for (long n = startSeg; n <= newestSeg; n++) {
            Wal.Segment s = new Wal.Segment(shape.timelineOf(n), n);
            WalArchive.ArchivedFile f = archive.segments().get(s);
            if (f == null) {
                missing++;
                if (firstMissing == null) {
                    firstMissing = Wal.segmentName(s, segSize);
                }
                continue;
            }
            String bad = archive.headerProblem(s, f, systemId);
            if (bad != null) {
                segmentProblems.add(bad);
            }
        }
        List<String> all = new ArrayList<>();
        if (newestSeg < 0) {
            all.add("no segment archived from the base backup's start (" + Wal.segmentName(start.timeline(), startSeg, segSize)
                    + ") on: recovery cannot even reach a consistent state");
        }
        if (firstMissing != null) {
            all.add(missing + (missing == 1 ? " segment is" : " segments are") + " missing between the base backup's start and the newest archived segment; "
                    + "the first missing is " + firstMissing + ": recovery stops there");
        }
        all.addAll(segmentProblems);
        all.addAll(problems);
        WalArchive.ArchivedFile newest = newestSeg < 0 ? null : archive.segments().get(new Wal.Segment(shape.timelineOf(newestSeg), newestSeg));
        return new Result(target, path, segSize, startSeg, newestSeg, newestSeg < 0 ? 0 : newestSeg - startSeg + 1, firstMissing, missing,
                newest == null ? null : Wal.segmentName(shape.timelineOf(newestSeg), newestSeg, segSize), newest == null ? null : newest.time(),
                List.copyOf(all));
    }

    /** Each timeline's history must extend its parent's: the same ancestors at the same switch points. */
    private static List<String> historyChain(Map<Integer, TimelineHistory> histories) {
        List<String> out = new ArrayList<>();
        for (TimelineHistory h : histories.values()) {
            if (h.entries().isEmpty()) {
                continue;
            }
            int parent = h.entries().get(h.entries().size() - 1).timeline();
            TimelineHistory p = histories.get(parent);
            if (p == null) {
                if (parent > 1) {
                    out.add("timeline " + h.timeline() + " descends from timeline " + parent + ", whose history file "
                            + String.format("%08X.history", parent) + " is not archived");
                }
                continue;
            }
            List<TimelineHistory.Entry> prefix = h.entries().subList(0, h.entries().size() - 1);
            boolean same = prefix.size() == p.entries().size();
            for (int i = 0; same && i < prefix.size(); i++) {
                same = prefix.get(i).timeline() == p.entries().get(i).timeline() && prefix.get(i).switchLsn() == p.entries().get(i).switchLsn();
            }
            if (!same) {
                out.add("timeline " + h.timeline() + "'s history does not agree with timeline " + parent + "'s: the archive mixes histories");
            }
        }
        return out;
    }
}
