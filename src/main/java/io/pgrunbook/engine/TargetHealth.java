package io.pgrunbook.engine;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Targets that could not be opened or whose connection was lost during the run. Later steps on such
 * a target error at once instead of each waiting out a connect timeout, and the reason is written in
 * full once, so one dead server is one explanation in the report, not one per step. Also what a step
 * learned about a target that later steps of the same run reuse (its notes), such as the Citus nodes
 * behind a coordinator that did not answer a probe.
 */
final class TargetHealth {
    private final Map<String, String> down = new ConcurrentHashMap<>();
    private final Map<String, String> lostDuring = new ConcurrentHashMap<>();
    private final Map<String, String> firstReportedBy = new ConcurrentHashMap<>();
    private final Map<String, Object> notes = new ConcurrentHashMap<>();

    void note(String target, String key, Object value) {
        notes.put(target + "\0" + key, value);
    }

    Optional<Object> noted(String target, String key) {
        return Optional.ofNullable(notes.get(target + "\0" + key));
    }

    /** @param stepId the step whose own error reports the loss, or null when the target was never opened */
    void markDown(String target, String stepId, String reason) {
        if (down.putIfAbsent(target, reason) == null && stepId != null) {
            lostDuring.put(target, stepId);
        }
    }

    Optional<String> whyDown(String target) {
        return Optional.ofNullable(down.get(target));
    }

    /** What a step on an unavailable target reports: the reason in full for the first such step only. */
    Optional<String> downMessage(String target, String stepId) {
        String reason = down.get(target);
        if (reason == null) {
            return Optional.empty();
        }
        String lost = lostDuring.get(target);
        if (lost != null) {
            return Optional.of("target '" + target + "' is unavailable: the connection was lost during step '" + lost
                    + "' (its error is there)");
        }
        String first = firstReportedBy.putIfAbsent(target, stepId);
        return Optional.of(first == null || first.equals(stepId)
                ? "target '" + target + "' is unavailable: " + reason
                : "target '" + target + "' is unavailable (the reason is under step '" + first + "')");
    }
}
