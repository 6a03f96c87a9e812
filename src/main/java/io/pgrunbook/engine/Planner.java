package io.pgrunbook.engine;

import io.pgrunbook.db.ConnectionSpec;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.load.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The plan of a run (--dry-run, {@code plan}): each step, its targets, its SQL with the values it
 * would bind, and which steps write. Connects to nothing.
 */
public final class Planner {
    private final StepRegistry registry;

    public Planner(StepRegistry registry) {
        this.registry = registry;
    }

    public List<String> writingSteps(Runbook runbook) {
        return runbook.steps().stream().filter(s -> registry.get(s.type()).writes(s)).map(Step::id).toList();
    }

    private static final String UNSET_ENV = "${env:";
    private static final java.util.regex.Pattern URI_PASSWORD = java.util.regex.Pattern.compile("(://[^:/@]*):[^@/]*@");
    private static final java.util.regex.Pattern KEY_PASSWORD = java.util.regex.Pattern.compile("(?i)(password\\s*=\\s*)('[^']*'|\\S+)");

    // a partly resolved connection string is shown as written, less any password a set variable put in it
    static String masked(String connection) {
        return KEY_PASSWORD.matcher(URI_PASSWORD.matcher(connection).replaceAll("$1:***@")).replaceAll("$1***");
    }

    public String plan(Runbook runbook, Map<String, String> env, boolean lock) {
        return plan(runbook, env, lock, null);
    }

    /** @param everyTarget when not null, what every target is (e.g. the sandbox a run would start) */
    public String plan(Runbook runbook, Map<String, String> env, boolean lock, String everyTarget) {
        StringBuilder out = new StringBuilder();
        int n = runbook.steps().size();
        out.append("Plan for runbook '").append(runbook.name()).append("' (").append(runbook.source()).append("): ")
                .append(n).append(n == 1 ? " step" : " steps").append("; nothing was run, no connection was made\n");
        if (runbook.description() != null) {
            out.append(runbook.description().strip()).append('\n');
        }
        out.append("\nTargets:\n");
        Set<String> used = Engine.usedTargets(runbook, registry);
        for (String name : runbook.targets().keySet()) {
            String connection = runbook.targets().get(name).connection();
            String display;
            if (everyTarget != null) {
                display = everyTarget;
            } else if (connection.contains(UNSET_ENV)) {
                display = masked(connection) + "  (names an environment variable not set here: a run needs it)";
            } else {
                try {
                    display = ConnectionSpec.parse(connection, env).display();
                } catch (RuntimeException e) {
                    display = "invalid connection: " + e.getMessage();
                }
            }
            out.append("  ").append(name).append(": ").append(display)
                    .append(connection.isBlank() && everyTarget == null ? "  (from --db, --sandbox or the PG* environment)" : "")
                    .append(used.contains(name) ? "" : "  (not used by any step)").append('\n');
        }
        if (lock) {
            out.append("Lock: advisory lock 'pgrunbook:").append(runbook.name()).append("' on target '")
                    .append(runbook.defaultTarget()).append("'\n");
        }
        if (runbook.minServerVersion() != null) {
            out.append("Requires: PostgreSQL ").append(runbook.minServerVersion()).append(" or later\n");
        }
        out.append('\n');
        int i = 0;
        for (Step step : runbook.steps()) {
            StepType type = registry.get(step.type());
            i++;
            // appended, not String.format: a hundred steps, and the first format loads locale data
            out.append(i < 10 ? " " : "").append(i).append(". ").append(step.id()).append("  [").append(step.type())
                    .append(", ").append(type.writes(step) ? "WRITES" : "read-only").append(", ").append(step.severity().key())
                    .append("]  on ").append(targets(step)).append(System.lineSeparator());
            List<String> reaches = type.otherTargets(step).stream().filter(t -> !step.targets().contains(t)).distinct().toList();
            if (!reaches.isEmpty()) {
                out.append("    also reaches ").append(String.join(", ", reaches)).append('\n');
            }
            if (step.name() != null) {
                out.append("    ").append(step.name()).append('\n');
            }
            out.append("    timeout ").append(Durations.show(step.timeout())).append(", lock_timeout ")
                    .append(Durations.show(step.lockTimeout()));
            if (step.retry().count() > 0) {
                String on = step.retry().onError() && step.retry().onFail() ? "transient errors and failures"
                        : step.retry().onFail() ? "failures" : "transient errors";
                out.append(", retries ").append(step.retry().count()).append(" (on ").append(on).append(')');
            }
            out.append(", on_failure ").append(step.onFailure().name().toLowerCase(java.util.Locale.ROOT)).append('\n');
            if (step.when() != null) {
                List<String> parts = new ArrayList<>();
                if (step.when().extension() != null) {
                    parts.add("extension " + step.when().extension() + " installed");
                }
                if (step.when().minServerVersion() != null) {
                    parts.add("server version >= " + step.when().minServerVersion());
                }
                if (step.when().sql() != null) {
                    parts.add("sql: " + step.when().sql().text().strip().replace('\n', ' '));
                }
                out.append("    when: ").append(String.join(" and ", parts)).append('\n');
            }
            for (String line : type.describe(step)) {
                out.append("      ").append(line.stripTrailing()).append('\n');
            }
            if (step.sql() != null && !step.sql().parameters().isEmpty()) {
                for (String p : step.sql().distinctParameters()) {
                    out.append("    bind :").append(p).append(" = ").append(show(runbook.vars().get(p))).append('\n');
                }
            }
            if (step.expect() != null) {
                out.append("    expect: ").append(step.expect()).append('\n');
            }
        }
        List<String> writes = writingSteps(runbook);
        out.append('\n').append(writes.isEmpty()
                ? "All steps are read-only: each runs in a READ ONLY transaction.\n"
                : "Steps that WRITE: " + String.join(", ", writes) + " (a run needs --yes when not on a terminal)\n");
        return out.toString();
    }

    private static String targets(Step step) {
        if (!step.fanOut()) {
            return step.targets().get(0);
        }
        return String.join(", ", step.targets()) + (step.targets().size() > 1 ? " (" + step.parallel() + " at a time)" : "");
    }

    private static String show(Object v) {
        return v instanceof String s ? "'" + s + "'" : StepType.show(v);
    }
}
