package io.pgrunbook.engine;

import java.util.Map;

/**
 * How to run a runbook.
 *
 * @param lock        take an advisory lock keyed by the runbook name on the default target
 * @param env         the environment (PG* variables) connections are resolved against
 * @param environment what the report records about where it ran (tool version, host, ...)
 */
public record RunOptions(boolean lock, Map<String, String> env, Map<String, String> environment) {
    public RunOptions {
        env = Map.copyOf(env);
        environment = Map.copyOf(environment);
    }
}
