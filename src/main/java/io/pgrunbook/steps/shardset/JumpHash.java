package io.pgrunbook.steps.shardset;

/**
 * Jump consistent hash: Lamping and Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm"
 * (2014), the 64-bit linear congruential version of the paper's Figure 1. The key is read as an
 * unsigned 64-bit integer (a negative long is its two's complement, as Go's uint64(int64) and C++'s
 * static_cast&lt;uint64_t&gt; read it), so the result matches the routers that use the paper's code.
 */
public final class JumpHash {
    private static final long LCG_MULTIPLIER = 2862933555777941757L;
    private static final double TWO_TO_31 = 1L << 31;

    private JumpHash() {}

    /** The bucket in [0, buckets) that the key lands in. */
    public static int bucket(long key, int buckets) {
        if (buckets < 1) {
            throw new IllegalArgumentException("the number of buckets must be at least 1, not " + buckets);
        }
        long b = -1;
        long j = 0;
        while (j < buckets) {
            b = j;
            key = key * LCG_MULTIPLIER + 1;
            // (key >>> 33) fits in 31 bits, so the unsigned shift reads it as the paper's uint64 does.
            j = (long) ((b + 1) * (TWO_TO_31 / (double) ((key >>> 33) + 1)));
        }
        return (int) b;
    }
}
