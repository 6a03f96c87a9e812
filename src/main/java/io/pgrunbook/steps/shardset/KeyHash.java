package io.pgrunbook.steps.shardset;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How a row's shard key becomes the 64-bit value jump hash takes; it must be what the
 * application's router does, or every row will look misplaced.
 */
public enum KeyHash {
    /** An integer key used as is (PostgreSQL smallint, integer, bigint). */
    INTEGER("integer", "the integer key as is"),
    /** FNV-1a 64 of the key's text (UTF-8). */
    FNV1A64("fnv1a64", "FNV-1a 64-bit of the key's text in UTF-8"),
    /** xxHash64, seed 0, of the key's text (UTF-8). */
    XXHASH64("xxhash64", "xxHash64 (seed 0) of the key's text in UTF-8");

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final String keyword;
    private final String description;

    KeyHash(String keyword, String description) {
        this.keyword = keyword;
        this.description = description;
    }

    public String keyword() {
        return keyword;
    }

    public String description() {
        return description;
    }

    public boolean hashesText() {
        return this != INTEGER;
    }

    public static Optional<KeyHash> parse(String text) {
        return Arrays.stream(values()).filter(h -> h.keyword.equals(text.toLowerCase(Locale.ROOT))).findFirst();
    }

    public static java.util.List<String> keywords() {
        return Arrays.stream(values()).map(KeyHash::keyword).toList();
    }

    /** The 64-bit value of a text key. */
    public long ofText(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        return switch (this) {
            case FNV1A64 -> fnv1a64(bytes);
            case XXHASH64 -> XxHash64.hash(bytes, 0);
            case INTEGER -> throw new IllegalStateException("integer keys are not hashed");
        };
    }

    static long fnv1a64(byte[] bytes) {
        long h = FNV_OFFSET;
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= FNV_PRIME;
        }
        return h;
    }
}
