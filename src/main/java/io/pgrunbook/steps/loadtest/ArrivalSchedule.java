package io.pgrunbook.steps.loadtest;

import io.pgrunbook.steps.loadtest.Scenario.Arrivals;
import java.util.SplittableRandom;

/**
 * The intended start times of an open model: the gaps of a Poisson process (exponential) or even
 * gaps, at a rate that ramps linearly from 1 % to the target over the ramp-up. Latency is measured
 * from these times, so a start that waited for a connection counts its wait.
 */
final class ArrivalSchedule {
    private static final double RAMP_FLOOR = 0.01;
    private final double ratePerNano;
    private final Arrivals arrivals;
    private final long start;
    private final long rampNanos;
    private final SplittableRandom random;
    private long next;

    ArrivalSchedule(double ratePerSecond, Arrivals arrivals, long startNanos, long rampNanos, long seed) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.arrivals = arrivals;
        this.start = startNanos;
        this.rampNanos = rampNanos;
        this.random = new SplittableRandom(seed);
        this.next = startNanos;
    }

    /** The next intended start, in System.nanoTime() terms. */
    long next() {
        long current = next;
        double rate = ratePerNano * rampFactor(current);
        double gap = arrivals == Arrivals.UNIFORM ? 1.0 / rate : -Math.log(1.0 - random.nextDouble()) / rate;
        next = current + Math.max(1L, Math.round(gap));
        return current;
    }

    private double rampFactor(long at) {
        if (rampNanos <= 0) {
            return 1.0;
        }
        return Math.max(RAMP_FLOOR, Math.min(1.0, (double) (at - start) / rampNanos));
    }
}
