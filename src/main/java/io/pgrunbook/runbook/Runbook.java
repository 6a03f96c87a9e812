package io.pgrunbook.runbook;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A loaded, validated runbook. Targets keep their declaration order: the first is the default
 * target of steps that name none.
 *
 * @param source           the file it was loaded from, or a description such as "built-in"
 * @param vars             the variables after defaults, {@code --set} and environment were applied
 * @param minServerVersion the lowest server major version the runbook supports, or null
 */
public record Runbook(
        String name,
        String description,
        String source,
        Map<String, TargetSpec> targets,
        Map<String, Object> vars,
        Integer minServerVersion,
        List<Step> steps) {

    public Runbook {
        targets = Collections.unmodifiableMap(new LinkedHashMap<>(targets));
        vars = Collections.unmodifiableMap(new LinkedHashMap<>(vars));
        steps = List.copyOf(steps);
    }

    public String defaultTarget() {
        return targets.keySet().iterator().next();
    }

    /** The same runbook with other steps (a subcommand's options applied to steps of a loaded runbook). */
    public Runbook withSteps(List<Step> newSteps) {
        return new Runbook(name, description, source, targets, vars, minServerVersion, newSteps);
    }

    /** The same runbook with one target's connection replaced (from --db or --sandbox). */
    public Runbook withTargetConnection(String target, String connection) {
        Map<String, TargetSpec> copy = new LinkedHashMap<>(targets);
        copy.computeIfPresent(target, (k, t) -> t.withConnection(connection));
        return new Runbook(name, description, source, copy, vars, minServerVersion, steps);
    }
}
