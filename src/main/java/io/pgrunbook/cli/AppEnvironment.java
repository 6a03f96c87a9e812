package io.pgrunbook.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What the process gets from outside: environment variables, whether a person is at a terminal, and
 * where answers to questions come from. Tests pass their own instead of touching the real ones.
 *
 * @param interactive true when stdin and stdout are a terminal, so a question can be asked
 */
public record AppEnvironment(Map<String, String> env, boolean interactive, BufferedReader in) {
    public AppEnvironment {
        env = Map.copyOf(env);
    }

    public static AppEnvironment system() {
        return new AppEnvironment(System.getenv(), System.console() != null,
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
    }

    /** Colours on a terminal only, and never when NO_COLOR is set (https://no-color.org) or TERM is dumb. */
    public boolean colorAllowed() {
        String noColor = env.get("NO_COLOR");
        return interactive && (noColor == null || noColor.isEmpty()) && !"dumb".equals(env.get("TERM"));
    }
}
