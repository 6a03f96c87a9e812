package io.pgrunbook.steps.loadtest;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Ranks 1..n drawn with probability proportional to 1/rank^s (YCSB's skewed key popularity), by
 * binary search in the cumulative distribution: exact, O(log n) per draw, n doubles of memory.
 */
final class Zipfian implements Generator {
    static final int MAX_N = 10_000_000;
    private final int n;
    private final double s;
    private final double[] cumulative;

    Zipfian(int n, double s) {
        if (n < 1 || n > MAX_N) {
            throw new ScenarioException("zipfian n must be between 1 and " + MAX_N + ", not " + n);
        }
        if (!(s > 0) || s > 10) {
            throw new ScenarioException("zipfian s (the skew) must be above 0 and at most 10, not " + s);
        }
        this.n = n;
        this.s = s;
        cumulative = new double[n];
        double sum = 0;
        for (int k = 1; k <= n; k++) {
            sum += 1.0 / Math.pow(k, s);
            cumulative[k - 1] = sum;
        }
        for (int k = 0; k < n; k++) {
            cumulative[k] /= sum;
        }
    }

    /** The rank, 1 being the most popular. */
    long draw(SplittableRandom random) {
        double u = random.nextDouble();
        int i = Arrays.binarySearch(cumulative, u);
        int index = i >= 0 ? i : -i - 1;
        return Math.min(index, n - 1) + 1L;
    }

    /** The probability of a rank, for tests and plans. */
    double probability(int rank) {
        return cumulative[rank - 1] - (rank == 1 ? 0 : cumulative[rank - 2]);
    }

    @Override
    public Object next(SplittableRandom random) {
        return draw(random);
    }

    @Override
    public String describe() {
        return "zipfian(n=" + n + ", s=" + s + ")";
    }
}
