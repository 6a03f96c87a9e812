package io.pgrunbook.engine;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Targets whose connection was lost during the run. Later steps on such a target error at once
 * with the original reason instead of each waiting out a connect timeout.
 */
final class TargetHealth {
    private final Map<String, String> down = new ConcurrentHashMap<>();

    void markDown(String target, String reason) {
        down.putIfAbsent(target, reason);
    }

    Optional<String> whyDown(String target) {
        return Optional.ofNullable(down.get(target));
    }
}
