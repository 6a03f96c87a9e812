package io.pgrunbook.runbook;

import io.pgrunbook.runbook.expect.Expectation;
import io.pgrunbook.runbook.sql.NamedSql;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One step of a runbook, fully resolved: variables substituted (outside SQL), defaults applied.
 *
 * @param targets  the targets it runs on; more than one (or {@code fanOut}) means one sub-result per target
 * @param fanOut   true when the runbook listed targets, even a list of one
 * @param parallel how many targets of a fan-out run at once
 * @param sql      the statement with {@code :name} bind parameters, or null for step types without SQL
 * @param with     the step type's own parameters
 * @param expect   what the result must satisfy, or null
 * @param message  what to tell the DBA when the step fails or warns, or null
 * @param timeout  statement_timeout for the step's statements
 * @param lockTimeout lock_timeout for the step's statements
 * @param when     the condition under which it runs, or null
 */
public record Step(
        String id,
        String name,
        String type,
        List<String> targets,
        boolean fanOut,
        int parallel,
        NamedSql sql,
        Map<String, Object> with,
        Expectation expect,
        Severity severity,
        String message,
        Duration timeout,
        Duration lockTimeout,
        RetryPolicy retry,
        OnFailure onFailure,
        Condition when,
        SourceLocation location) {

    public Step {
        targets = List.copyOf(targets);
        with = with == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(with));
    }

    public String displayName() {
        return name == null || name.isBlank() ? id : name;
    }

    /** The same step with other {@code with:} values (a subcommand's options applied to a loaded runbook). */
    public Step withParameters(Map<String, Object> newWith) {
        return new Step(id, name, type, targets, fanOut, parallel, sql, newWith, expect, severity, message, timeout, lockTimeout,
                retry, onFailure, when, location);
    }
}
