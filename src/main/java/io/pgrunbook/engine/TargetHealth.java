package io.pgrunbook.engine;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Targets whose connection was lost during the run. Later steps on such a target error at once
 * with the original reason instead of each waiting out a connect timeout. Also what a step learned
 * about a target that later steps of the same run reuse (its notes), such as the Citus nodes behind
 * a coordinator that did not answer a probe.
 */
final class TargetHealth {
    private final Map<String, String> down = new ConcurrentHashMap<>();
    private final Map<String, Object> notes = new ConcurrentHashMap<>();

    void note(String target, String key, Object value) {
        notes.put(target + "\0" + key, value);
    }

    Optional<Object> noted(String target, String key) {
        return Optional.ofNullable(notes.get(target + "\0" + key));
    }

    void markDown(String target, String reason) {
        down.putIfAbsent(target, reason);
    }

    Optional<String> whyDown(String target) {
        return Optional.ofNullable(down.get(target));
    }
}
