package io.pgrunbook.steps.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latency over time, all operations together: workers record into a wait-free {@link Recorder}; a
 * sampler thread takes its interval histogram once a second, prints a progress line when asked, and
 * keeps one point per interval. At most {@link #MAX_POINTS} points are kept: when full, neighbours
 * merge and each point then covers twice the time, so memory stays fixed whatever the duration.
 */
final class Timeline {
    static final int MAX_POINTS = 600;

    /**
     * One interval. {@code start} is in seconds from the start of measurement (negative in warm-up);
     * for merged points the percentiles are the larger of the merged ones (an upper bound).
     */
    record Point(double start, double width, long count, long errors, long p50, long p95, long max) {}

    private final Recorder recorder = new Recorder(OpTally.HIGHEST_MICROS, 3);
    private final AtomicLong errors = new AtomicLong();
    private final List<Point> points = new ArrayList<>();
    private final Histogram pending = new Histogram(OpTally.HIGHEST_MICROS, 3);
    private final Histogram sinceMeasureStart = new Histogram(OpTally.HIGHEST_MICROS, 3);
    private Histogram recycled;
    private long pendingErrors;
    private long pendingSince;
    private long widthNanos = 1_000_000_000L;
    private long measuredErrors;

    void record(long micros) {
        recorder.recordValue(Math.max(0, Math.min(OpTally.HIGHEST_MICROS, micros)));
    }

    void error() {
        errors.incrementAndGet();
    }

    /**
     * Samples once a second from {@code t0} until {@code running} turns false; each sample goes to
     * {@code progress} (null: none) as a one-line summary.
     */
    Thread startSampler(long t0, long measureStart, java.util.function.BooleanSupplier running, Consumer<String> progress) {
        pendingSince = t0;
        Thread t = new Thread(() -> {
            long next = t0 + 1_000_000_000L;
            while (running.getAsBoolean()) {
                long now = System.nanoTime();
                if (now < next) {
                    java.util.concurrent.locks.LockSupport.parkNanos(Math.min(next - now, 50_000_000L));
                    continue;
                }
                next += 1_000_000_000L;
                String line = sample(now, measureStart);
                if (progress != null) {
                    progress.accept(line);
                }
            }
        }, "pgrunbook-loadtest-sampler");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Takes what was recorded since the last sample; returns the progress line for it. */
    synchronized String sample(long now, long measureStart) {
        Histogram interval = recorder.getIntervalHistogram(recycled);
        long intervalErrors = errors.getAndSet(0);
        recycled = interval;
        pending.add(interval);
        pendingErrors += intervalErrors;
        boolean measuring = now > measureStart;
        if (measuring) {
            sinceMeasureStart.add(interval);
            measuredErrors += intervalErrors;
        }
        if (now - pendingSince >= widthNanos - 100_000_000L) {
            flush(now, measureStart);
        }
        Histogram p95Source = measuring ? sinceMeasureStart : interval;
        return String.format(Locale.ROOT, "%s %6.0f s  %9.1f ops/s  p95 %s %8.1f ms  errors %d",
                measuring ? "loadtest" : "warm-up ", (now - measureStart) / 1e9, (double) interval.getTotalCount(),
                measuring ? "so far" : "(1 s) ", p95Source.getValueAtPercentile(95) / 1000.0, measuring ? measuredErrors : intervalErrors);
    }

    private void flush(long now, long measureStart) {
        points.add(new Point((pendingSince - measureStart) / 1e9, (now - pendingSince) / 1e9, pending.getTotalCount(), pendingErrors,
                pending.getValueAtPercentile(50), pending.getValueAtPercentile(95), pending.getMaxValue()));
        pending.reset();
        pendingErrors = 0;
        pendingSince = now;
        if (points.size() >= MAX_POINTS) {
            List<Point> merged = new ArrayList<>();
            for (int i = 0; i + 1 < points.size(); i += 2) {
                Point a = points.get(i);
                Point b = points.get(i + 1);
                merged.add(new Point(a.start(), a.width() + b.width(), a.count() + b.count(), a.errors() + b.errors(),
                        Math.max(a.p50(), b.p50()), Math.max(a.p95(), b.p95()), Math.max(a.max(), b.max())));
            }
            points.clear();
            points.addAll(merged);
            widthNanos *= 2;
        }
    }

    /** The points so far, after taking what is left (call once the workers stopped). */
    synchronized List<Point> finish(long now, long measureStart) {
        sample(now, measureStart);
        if (pending.getTotalCount() > 0 || pendingErrors > 0) {
            flush(now, measureStart);
        }
        return List.copyOf(points);
    }
}
