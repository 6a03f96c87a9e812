package io.pgrunbook.steps.loadtest;

import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.RunbookInvalidException;
import io.pgrunbook.runbook.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loadtest command's common options (--duration, --warmup, --connections, --seed, --html...)
 * applied to every loadtest step of any scenario, not only to one that declares a variable for each:
 * a scenario written for one purpose still takes the options every load test needs. The changed
 * steps are checked as the loader checks a step, so a bad value is a usage error before anything runs.
 */
public final class LoadtestOverrides {
    /** Options that live under {@code with.workload}; the others are keys of {@code with} itself. */
    private static final List<String> WORKLOAD_KEYS = List.of("duration", "warmup", "connections", "rate_per_install", "rate");

    private LoadtestOverrides() {}

    /**
     * @param values step key -> value (e.g. duration -> "15s", html_report -> "lt.html"); null values are ignored
     * @return the runbook with every loadtest step changed
     * @throws PgRunbookException (exit 2) when the runbook has no loadtest step to apply them to
     */
    public static Runbook apply(Runbook runbook, Map<String, Object> values) {
        Map<String, Object> given = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (v != null) {
                given.put(k, v);
            }
        });
        if (given.isEmpty()) {
            return runbook;
        }
        LoadtestStep type = new LoadtestStep();
        List<Step> steps = new ArrayList<>();
        Problems problems = new Problems();
        boolean any = false;
        for (Step step : runbook.steps()) {
            if (!step.type().equals(type.name())) {
                steps.add(step);
                continue;
            }
            any = true;
            Map<String, Object> with = new LinkedHashMap<>(step.with());
            @SuppressWarnings("unchecked")
            Map<String, Object> workload = with.get("workload") instanceof Map<?, ?> m
                    ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
            given.forEach((k, v) -> {
                if (WORKLOAD_KEYS.contains(k)) {
                    workload.put(k, v);
                } else {
                    with.put(k, v);
                }
            });
            if (!workload.isEmpty()) {
                with.put("workload", workload);
            }
            Step changed = step.withParameters(with);
            type.validate(changed, runbook.targets().keySet(), problems);
            steps.add(changed);
        }
        if (!any) {
            throw PgRunbookException.invalid("runbook '" + runbook.name() + "' has no loadtest step for "
                    + String.join(", ", given.keySet()) + " to apply to");
        }
        if (!problems.list().isEmpty()) {
            throw new RunbookInvalidException(problems.list());
        }
        return runbook.withSteps(steps);
    }
}
