package io.pgrunbook.runbook.load;

import io.pgrunbook.error.Suggest;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Expands {@code ${name}}, {@code ${env:NAME}} and {@code ${env:NAME:-default}} in runbook strings.
 * A string that is exactly one reference to a variable takes the variable's own type (a list stays a
 * list); {@code $${} writes a literal {@code ${}. Never applied to SQL: SQL gets bind parameters.
 */
final class Interpolator {
    private final Map<String, Object> vars;
    private final Map<String, String> env;

    private final boolean keepUnsetEnv;

    Interpolator(Map<String, Object> vars, Map<String, String> env) {
        this(vars, env, false);
    }

    /** @param keepUnsetEnv leave {@code ${env:NAME}} as written when NAME is unset (plans show it unresolved) */
    Interpolator(Map<String, Object> vars, Map<String, String> env, boolean keepUnsetEnv) {
        this.vars = vars;
        this.env = env;
        this.keepUnsetEnv = keepUnsetEnv;
    }

    /** Returns the expanded value, or empty after reporting each bad reference to {@code problem}. */
    Optional<Object> expand(String text, Consumer<String> problem) {
        if (!text.contains("${")) {
            return Optional.of(text);
        }
        if (text.startsWith("${") && text.indexOf('}') == text.length() - 1 && !text.startsWith("${env:")) {
            String name = text.substring(2, text.length() - 1).trim();
            if (vars.containsKey(name)) {
                return Optional.of(vars.get(name));
            }
        }
        StringBuilder out = new StringBuilder();
        boolean ok = true;
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
                continue;
            }
            if (!text.startsWith("${", i)) {
                out.append(text.charAt(i++));
                continue;
            }
            int end = text.indexOf('}', i);
            if (end < 0) {
                problem.accept("unterminated '${' in \"" + text + "\"");
                return Optional.empty();
            }
            String ref = text.substring(i + 2, end).trim();
            Optional<String> value = resolve(ref, problem);
            if (value.isPresent()) {
                out.append(value.get());
            } else {
                ok = false;
            }
            i = end + 1;
        }
        return ok ? Optional.of(out.toString()) : Optional.empty();
    }

    private Optional<String> resolve(String ref, Consumer<String> problem) {
        if (ref.startsWith("env:")) {
            String spec = ref.substring(4);
            int dflt = spec.indexOf(":-");
            String name = dflt >= 0 ? spec.substring(0, dflt) : spec;
            String value = env.get(name);
            if (value != null && !(dflt >= 0 && value.isEmpty())) {
                return Optional.of(value);
            }
            if (dflt >= 0) {
                return Optional.of(spec.substring(dflt + 2));
            }
            if (keepUnsetEnv) {
                return Optional.of("${env:" + name + "}");
            }
            problem.accept("environment variable " + name + " is not set (write ${env:" + name
                    + ":-default} to give a default)");
            return Optional.empty();
        }
        if (vars.containsKey(ref)) {
            Object v = vars.get(ref);
            if (v instanceof java.util.List<?> list) {
                return Optional.of(String.join(",", list.stream().map(String::valueOf).toList()));
            }
            return Optional.of(String.valueOf(v));
        }
        problem.accept("undefined variable '" + ref + "'" + Suggest.nearest(ref, vars.keySet())
                .map(s -> "; did you mean '" + s + "'?")
                .orElse(vars.isEmpty() ? "; declare it under vars:" : "; declared: " + String.join(", ", vars.keySet())));
        return Optional.empty();
    }
}
