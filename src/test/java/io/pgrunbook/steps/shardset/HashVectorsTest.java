package io.pgrunbook.steps.shardset;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Vectors computed when the test was written with src/test/resources/shardset/vectors.py, a separate
 * Python transcription of the paper's C++ jump hash, of FNV-1a 64 and of the xxHash64 specification.
 * Published values cross-check both: jump(10863919174838991, 11) = 6 and its neighbours are in
 * dgryski/go-jump's tests; FNV-1a 64 of "a" and "foobar" are in the FNV reference test suite; xxHash64 of
 * "", "a", "abc" and "Nobody inspects the spammish repetition" are xxHash's and python-xxhash's own examples.
 */
class HashVectorsTest {

    @Test
    void jumpHashMatchesThePaper() {
        long[][] vectors = {
            {0, 1, 0}, {0, 10, 0}, {1, 10, 6}, {2, 10, 6}, {42, 4, 2}, {250, 4, 1}, {251, 4, 3}, {1000, 4, 0},
            {123456789, 100, 34}, {-1, 1000, 313}, {Long.MIN_VALUE, 7, 5},
            {10863919174838991L, 11, 6}, {2016238256797177309L, 11, 3}, {1673758223894951030L, 11, 5},
            {2, 100000, 80343}, {12345, Integer.MAX_VALUE, 407473385},
        };
        for (long[] v : vectors) {
            assertThat(JumpHash.bucket(v[0], (int) v[1])).as("jump(%d, %d)", v[0], v[1]).isEqualTo((int) v[2]);
        }
    }

    @Test
    void growingTheSetOnlyMovesKeysToTheNewShard() {
        for (long key = 0; key < 20_000; key++) {
            int before = JumpHash.bucket(key, 4);
            int after = JumpHash.bucket(key, 5);
            assertThat(after == before || after == 4).as("key %d moved from %d to %d", key, before, after).isTrue();
        }
    }

    @Test
    void fnv1a64MatchesTheReferenceValues() {
        assertThat(KeyHash.FNV1A64.ofText("")).isEqualTo(0xcbf29ce484222325L);
        assertThat(KeyHash.FNV1A64.ofText("a")).isEqualTo(0xaf63dc4c8601ec8cL);
        assertThat(KeyHash.FNV1A64.ofText("foobar")).isEqualTo(0x85944171f73967e8L);
        assertThat(KeyHash.FNV1A64.ofText("restaurant-42")).isEqualTo(0xadc0f13f710fef47L);
    }

    @Test
    void xxHash64MatchesTheReferenceValues() {
        assertThat(KeyHash.XXHASH64.ofText("")).isEqualTo(0xef46db3751d8e999L);
        assertThat(KeyHash.XXHASH64.ofText("a")).isEqualTo(0xd24ec4f1a98c6e5bL);
        assertThat(KeyHash.XXHASH64.ofText("abc")).isEqualTo(0x44bc2cf5ad770999L);
        assertThat(KeyHash.XXHASH64.ofText("restaurant-42")).isEqualTo(0x90cd3b58ba5bd482L);
        assertThat(KeyHash.XXHASH64.ofText("Nobody inspects the spammish repetition")).isEqualTo(0xfbcea83c8a378bf1L);
        byte[] hundred = new byte[100];
        for (int i = 0; i < 100; i++) {
            hundred[i] = (byte) i;
        }
        assertThat(XxHash64.hash(hundred, 0)).as("the 32-byte stripes and every tail length").isEqualTo(0x6ac1e58032166597L);
        assertThat(new String(hundred, StandardCharsets.ISO_8859_1)).hasSize(100);
    }

    @Test
    void healthStatesFollowTheSeedThresholds() {
        HealthThresholds t = HealthThresholds.SEED;
        assertThat(t.classify(Duration.ofMillis(499), 4.9, true)).isEqualTo(HealthThresholds.State.HEALTHY);
        assertThat(t.classify(Duration.ofMillis(500), 0, true)).isEqualTo(HealthThresholds.State.DEGRADED);
        assertThat(t.classify(Duration.ofMillis(10), 5, true)).isEqualTo(HealthThresholds.State.DEGRADED);
        assertThat(t.classify(Duration.ofSeconds(2), 10, true)).isEqualTo(HealthThresholds.State.DEGRADED);
        assertThat(t.classify(Duration.ofMillis(2001), 0, true)).isEqualTo(HealthThresholds.State.UNHEALTHY);
        assertThat(t.classify(Duration.ofMillis(1), 10.5, true)).isEqualTo(HealthThresholds.State.UNHEALTHY);
        assertThat(t.classify(Duration.ZERO, 100, false)).isEqualTo(HealthThresholds.State.UNHEALTHY);
    }

    @Test
    void sizesReadAsPostgresWritesThem() {
        assertThat(ByteSizes.parse("100GB")).contains(100L << 30);
        assertThat(ByteSizes.parse("1.5 tb")).contains((long) (1.5 * (1L << 40)));
        assertThat(ByteSizes.parse(4096L)).contains(4096L);
        assertThat(ByteSizes.parse("lots")).isEmpty();
    }
}
