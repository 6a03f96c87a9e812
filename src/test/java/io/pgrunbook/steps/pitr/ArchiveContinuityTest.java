package io.pgrunbook.steps.pitr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** WAL names, LSNs, timeline histories and the continuity rules on archive listings (no server needed). */
class ArchiveContinuityTest {
    static final long SEG = Wal.DEFAULT_SEGMENT_SIZE;

    @Test
    void namesAndLsnsRoundTrip() {
        assertThat(Wal.segmentName(1, 0x1FF, SEG)).isEqualTo("0000000100000001000000FF");
        assertThat(Wal.parseSegment("0000000100000001000000FF", SEG)).isEqualTo(new Wal.Segment(1, 0x1FF));
        assertThat(Wal.parseSegment("000000020000000000000003-49e1acef56c18bb5e48d1fa029ae2fcd42dc4b47.gz", SEG))
                .isEqualTo(new Wal.Segment(2, 3));
        assertThat(Wal.parseSegment("000000010000000000000003.partial", SEG)).isNull();
        assertThat(Wal.parseSegment("000000010000000000000100", SEG)).as("segment number beyond 0xFF for 16 MB").isNull();
        assertThat(Wal.lsn(Wal.parseLsn("1/3000148"))).isEqualTo("1/3000148");
        assertThat(Wal.backupLabelStart("000000010000000000000002.00000028.backup", SEG)).isEqualTo(new Wal.Start(1, 0x2000028L));
        assertThatThrownBy(() -> Wal.parseLsn("3000148")).hasMessageContaining("not an LSN");
    }

    @Test
    void aGapIsNamedByItsFirstMissingSegmentAndCounted() throws Exception {
        WalArchive a = archive(List.of(seg(1, 2), seg(1, 3), seg(1, 6), seg(1, 7)), Map.of());
        ArchiveContinuity.Result r = ArchiveContinuity.check(a, new Wal.Start(1, 2 * SEG + 0x28), 0, null);
        assertThat(r.firstMissing()).isEqualTo("000000010000000000000004");
        assertThat(r.missing()).isEqualTo(2);
        assertThat(r.newest()).isEqualTo("000000010000000000000007");
        assertThat(r.problems().get(0)).contains("2 segments are missing").contains("first missing is 000000010000000000000004");
    }

    @Test
    void aTimelineSwitchIsFollowedAndTheOldTimelinesLaterSegmentsIgnored() throws Exception {
        // timeline 2 begins inside segment 4: segments 2-3 on timeline 1, 4-5 on timeline 2; 1's own 4-6 are the old primary's.
        WalArchive a = archive(List.of(seg(1, 2), seg(1, 3), seg(1, 4), seg(1, 5), seg(1, 6), seg(2, 4), seg(2, 5)),
                Map.of(2, "1\t0/4000100\tno recovery target specified\n"));
        ArchiveContinuity.Result r = ArchiveContinuity.check(a, new Wal.Start(1, 2 * SEG), 0, null);
        assertThat(r.ok()).as(r.problems().toString()).isTrue();
        assertThat(r.path().keySet()).containsExactly(1, 2);
        assertThat(r.newest()).isEqualTo("000000020000000000000005");
        assertThat(r.segmentName(3)).isEqualTo("000000010000000000000003");
        assertThat(r.segmentName(4)).isEqualTo("000000020000000000000004");
    }

    @Test
    void theNewTimelinesCopyOfTheSwitchSegmentIsRequired() throws Exception {
        WalArchive a = archive(List.of(seg(1, 2), seg(1, 3), seg(1, 4), seg(2, 5)), Map.of(2, "1\t0/4000100\treason\n"));
        ArchiveContinuity.Result r = ArchiveContinuity.check(a, new Wal.Start(1, 2 * SEG), 0, null);
        assertThat(r.firstMissing()).isEqualTo("000000020000000000000004");
    }

    @Test
    void historiesThatDisagreeOrAreMissingAreProblems() throws Exception {
        WalArchive missing = archive(List.of(seg(1, 2), seg(3, 3)), Map.of(3, "1\t0/2000100\ta\n2\t0/3000000\tb\n"));
        assertThat(ArchiveContinuity.check(missing, new Wal.Start(1, 2 * SEG), 0, null).problems())
                .anySatisfy(p -> assertThat(p).contains("00000002.history is not archived"));
        WalArchive disagree = archive(List.of(seg(1, 2)), Map.of(2, "1\t0/2000100\ta\n", 3, "1\t0/2000200\ta\n2\t0/3000000\tb\n"));
        assertThat(ArchiveContinuity.check(disagree, new Wal.Start(1, 2 * SEG), 0, null).problems())
                .anySatisfy(p -> assertThat(p).contains("does not agree with timeline 2"));
        WalArchive noHistory = archive(List.of(seg(1, 2), seg(2, 3)), Map.of());
        assertThat(ArchiveContinuity.check(noHistory, new Wal.Start(1, 2 * SEG), 0, null).problems())
                .anySatisfy(p -> assertThat(p).contains("no history file 00000002.history"));
    }

    @Test
    void aBackupOnATimelineThatIsNoAncestorIsAProblem() throws Exception {
        WalArchive a = archive(List.of(seg(2, 3), seg(3, 4)), Map.of(3, "1\t0/3000000\ta\n"));
        assertThat(ArchiveContinuity.check(a, new Wal.Start(2, 3 * SEG), 0, null).problems())
                .anySatisfy(p -> assertThat(p).contains("not an ancestor of timeline 3"));
    }

    static WalArchive.ArchivedFile seg(int tli, long n) {
        return new WalArchive.ArchivedFile(Wal.segmentName(tli, n, SEG), SEG, Instant.now(), null);
    }

    static WalArchive archive(List<WalArchive.ArchivedFile> files, Map<Integer, String> histories) {
        return WalArchive.of("test", SEG, new ArrayList<>(files), histories);
    }
}
