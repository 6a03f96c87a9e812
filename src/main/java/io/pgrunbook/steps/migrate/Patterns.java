package io.pgrunbook.steps.migrate;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** Compiled once: the lint rules match thousands of statements against the same few hundred expressions. */
final class Patterns {
    private static final Map<String, Pattern> CACHE = new ConcurrentHashMap<>();

    private Patterns() {}

    static Pattern of(String regex) {
        return CACHE.computeIfAbsent(regex, Pattern::compile);
    }

    /** Like String.matches: the whole text. */
    static boolean full(String text, String regex) {
        return of(regex).matcher(text).matches();
    }
}
