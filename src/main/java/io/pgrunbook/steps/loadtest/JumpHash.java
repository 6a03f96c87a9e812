package io.pgrunbook.steps.loadtest;

import java.nio.charset.StandardCharsets;

/**
 * Lamping and Veach's jump consistent hash, the shard function of application-level shard sets
 * (seed 004), over a 64-bit FNV-1a of the key's text so that 42 and "42" land on the same shard.
 */
final class JumpHash {
    private JumpHash() {}

    static int shard(Object key, int buckets) {
        return jump(fnv1a(String.valueOf(key)), buckets);
    }

    static long fnv1a(String text) {
        long h = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    static int jump(long key, int buckets) {
        long b = -1;
        long j = 0;
        while (j < buckets) {
            b = j;
            key = key * 2862933555777941757L + 1;
            j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
        }
        return (int) b;
    }
}
