package io.pgrunbook.steps.loadtest;

import java.util.SplittableRandom;

/**
 * Draws one value of a parameter. Generators are shared by workers: state that must not be shared
 * (the random source) is passed in, and the only shared state (a sequence) is atomic.
 */
public interface Generator {
    Object next(SplittableRandom random);

    /** The form a plan shows, e.g. {@code zipfian(n=20, s=0.99)}. */
    String describe();
}
