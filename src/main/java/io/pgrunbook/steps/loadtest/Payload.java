package io.pgrunbook.steps.loadtest;

import java.util.SplittableRandom;

/**
 * A random text value whose length in bytes follows a distribution between min and max: uniform, or
 * log-uniform (as many values between 1 and 2 KiB as between 32 and 64 KiB, the shape real stored
 * values tend to have). Characters are random so that TOAST compression cannot shrink the payload.
 */
final class Payload implements Generator {
    static final int MAX_BYTES = 64 * 1024 * 1024;
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

    enum Shape { UNIFORM, LOG_UNIFORM }

    private final int min;
    private final int max;
    private final Shape shape;

    Payload(int min, int max, Shape shape) {
        if (min < 0 || max < min || max > MAX_BYTES) {
            throw new ScenarioException("payload sizes need 0 <= min <= max <= 64MiB, not min " + min + " and max " + max);
        }
        if (shape == Shape.LOG_UNIFORM && min < 1) {
            throw new ScenarioException("a log-uniform payload needs min of at least 1 byte");
        }
        this.min = min;
        this.max = max;
        this.shape = shape;
    }

    int size(SplittableRandom random) {
        if (min == max) {
            return min;
        }
        if (shape == Shape.UNIFORM) {
            return min + random.nextInt(max - min + 1);
        }
        double logMin = Math.log(min);
        double logMax = Math.log(max + 1.0);
        return (int) Math.min(max, Math.floor(Math.exp(logMin + random.nextDouble() * (logMax - logMin))));
    }

    @Override
    public Object next(SplittableRandom random) {
        int size = size(random);
        char[] chars = new char[size];
        for (int i = 0; i < size; i++) {
            chars[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(chars);
    }

    @Override
    public String describe() {
        return "payload(" + min + ".." + max + " bytes, " + (shape == Shape.UNIFORM ? "uniform" : "log-uniform") + ")";
    }
}
