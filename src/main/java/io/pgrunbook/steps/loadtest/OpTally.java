package io.pgrunbook.steps.loadtest;

import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What one operation did on one worker (or, merged, on all): a latency histogram in microseconds and
 * counts. Fixed size whatever the duration: no sample is kept.
 */
final class OpTally {
    /** One hour in microseconds: longer latencies are recorded as one hour. */
    static final long HIGHEST_MICROS = 3_600_000_000L;

    final Histogram latency = new Histogram(HIGHEST_MICROS, 3);
    long ok;
    long expectedErrors;
    final Map<String, Long> expectedByState = new TreeMap<>();
    final Map<String, Long> errorsByState = new TreeMap<>();
    final Map<String, String> firstMessageByState = new TreeMap<>();

    void recordLatency(long micros) {
        latency.recordValue(Math.max(0, Math.min(HIGHEST_MICROS, micros)));
    }

    void expected(String state, long micros) {
        expectedErrors++;
        expectedByState.merge(state, 1L, Long::sum);
        recordLatency(micros);
    }

    void error(String state, String message) {
        errorsByState.merge(state, 1L, Long::sum);
        firstMessageByState.putIfAbsent(state, message);
    }

    long errors() {
        return errorsByState.values().stream().mapToLong(Long::longValue).sum();
    }

    long completed() {
        return ok + expectedErrors + errors();
    }

    void add(OpTally other) {
        latency.add(other.latency);
        ok += other.ok;
        expectedErrors += other.expectedErrors;
        other.expectedByState.forEach((k, v) -> expectedByState.merge(k, v, Long::sum));
        other.errorsByState.forEach((k, v) -> errorsByState.merge(k, v, Long::sum));
        other.firstMessageByState.forEach(firstMessageByState::putIfAbsent);
    }
}
