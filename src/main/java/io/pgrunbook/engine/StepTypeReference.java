package io.pgrunbook.engine;

import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.StepKind;
import io.pgrunbook.runbook.ValueKind;
import java.util.List;
import java.util.Locale;

/**
 * The reference of every step type, generated from the types' own declarations (name, summary,
 * {@code with:} keys) so that it cannot drift from the code: {@code docs/step-types.md} and
 * {@code pgrunbook types TYPE} print the same words. StepTypeReferenceTest fails while the committed
 * file differs, and rewrites it with {@code -Dtypes.regenerate=true}.
 */
public final class StepTypeReference {
    static final String CHECK_PREFIX = "check.";

    private StepTypeReference() {}

    public static String markdown(StepRegistry registry) {
        StringBuilder b = new StringBuilder();
        b.append("<!-- GENERATED from the code by io.pgrunbook.engine.StepTypeReference: do not edit by hand. -->\n");
        b.append("# Step types\n\n");
        b.append("Every step of a runbook has a `type` (default `sql`). This page lists each type, what it does, and the keys it\n");
        b.append("takes under `with:`; the loader refuses any other key, and `docs/runbook.schema.json` makes editors flag it too.\n");
        b.append("The same text is printed at the terminal by `pgrunbook types TYPE`; `pgrunbook types` lists the types.\n");
        b.append("Keys common to every step (`id`, `name`, `target`, `targets`, `timeout`, `severity`, `when`, ...) are in\n");
        b.append("[runbook-format.md](runbook-format.md); the `check.*` types, with their thresholds, in [checks.md](checks.md).\n\n");
        b.append("Regenerate after changing a step type: `mvn -q -B test -Dtest=StepTypeReferenceTest -Dtypes.regenerate=true`.\n\n");
        b.append("| type | writes | what it does |\n| --- | --- | --- |\n");
        for (StepType t : registry.all()) {
            String anchor = isCheck(t) ? "checks.md#" + t.name().replace(".", "") : "#" + t.name().replace(".", "");
            b.append("| [`").append(t.name()).append("`](").append(anchor).append(") | ").append(t.writes() ? "yes" : "no")
                    .append(" | ").append(escape(t.summary())).append(" |\n");
        }
        for (StepType t : registry.all()) {
            if (!isCheck(t)) {
                b.append("\n## ").append(t.name()).append("\n\n").append(section(t, true));
            }
        }
        return b.toString();
    }

    /** One type's reference as plain text for the terminal. */
    public static String text(StepKind t) {
        return t.name() + "\n" + "=".repeat(t.name().length()) + "\n\n" + section(t, false);
    }

    /** A one-line-per-type list for the terminal. */
    public static String list(StepRegistry registry) {
        int width = registry.names().stream().mapToInt(String::length).max().orElse(10);
        StringBuilder b = new StringBuilder();
        for (StepType t : registry.all()) {
            b.append(String.format(Locale.ROOT, "%-" + width + "s  %s  %s%n", t.name(), t.writes() ? "WRITES" : "      ", t.summary()));
        }
        b.append("\n").append("pgrunbook types TYPE prints a type's keys and an example; docs/step-types.md has them all.\n");
        return b.toString();
    }

    private static String section(StepKind t, boolean markdown) {
        StringBuilder b = new StringBuilder();
        b.append(capitalise(t.summary())).append(".\n\n");
        b.append(t.writes() ? "Writes: yes (shown as WRITES in plans; needs confirmation or --yes).\n"
                : "Writes: no (runs read-only unless its keys choose an action that writes).\n");
        b.append("SQL (`sql:` key): ").append(switch (t.sqlUse()) {
            case REQUIRED -> "required";
            case OPTIONAL -> "optional";
            case NONE -> "not taken";
        }).append(". Expectations (`expect:`): ").append(t.acceptsExpect() ? "accepted" : "not taken").append(".\n\n");
        List<ParamSpec> params = t.parameters();
        if (params.isEmpty()) {
            b.append("Keys under `with:`: none.\n");
        } else if (markdown) {
            b.append("| key | type | required | meaning |\n| --- | --- | --- | --- |\n");
            for (ParamSpec p : params) {
                b.append("| `").append(p.name()).append("` | ").append(p.kind().description()).append(" | ")
                        .append(p.required() ? "yes" : "no").append(" | ").append(escape(p.description())).append(" |\n");
            }
        } else {
            b.append("Keys under with:\n");
            for (ParamSpec p : params) {
                b.append("  ").append(p.name()).append(p.required() ? " (required)" : "").append(": ").append(p.kind().description())
                        .append("\n      ").append(p.description()).append("\n");
            }
        }
        b.append(markdown ? "\nExample (required keys, or one optional key; placeholders in angle brackets):\n\n```yaml\n" : "\nExample:\n\n");
        b.append(example(t));
        b.append(markdown ? "```\n" : "");
        return b.toString();
    }

    /** A step skeleton with every required key, as a starting point to copy into a runbook. */
    static String example(StepKind t) {
        StringBuilder b = new StringBuilder();
        b.append("steps:\n  - id: my-").append(t.name().replace('.', '-')).append("\n    type: ").append(t.name()).append("\n");
        if (t.sqlUse() == StepKind.SqlUse.REQUIRED) {
            b.append("    sql: <SQL>\n");
        }
        List<ParamSpec> shown = t.parameters().stream().filter(ParamSpec::required).toList();
        if (shown.isEmpty() && !t.parameters().isEmpty()) {
            shown = List.of(t.parameters().get(0)); // every key optional: show one so the shape is clear
        }
        List<ParamSpec> listed = shown;
        List<String> others = t.parameters().stream().filter(p -> !listed.contains(p)).map(ParamSpec::name).toList();
        if (!shown.isEmpty()) {
            b.append("    with:\n");
            for (ParamSpec p : shown) {
                b.append("      ").append(p.name()).append(": ").append(placeholder(p.kind())).append("\n");
            }
            if (!others.isEmpty()) {
                b.append("      # also: ").append(String.join(", ", others)).append("\n");
            }
        }
        return b.toString();
    }

    private static String placeholder(ValueKind kind) {
        return switch (kind) {
            case STRING -> "<text>";
            case INTEGER -> "<integer>";
            case NUMBER -> "<number>";
            case BOOLEAN -> "<true|false>";
            case DURATION -> "<duration, e.g. 30s>";
            case STRING_LIST -> "[<text>, <text>]";
            case MAP -> "{ <key>: <value> }";
            case ANY -> "<value>";
        };
    }

    static boolean isCheck(StepKind t) {
        return t.name().startsWith(CHECK_PREFIX);
    }

    private static String escape(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    // a summary may start with a command or identifier (pg_dump, pg_basebackup): never "Pg_dump"
    private static String capitalise(String s) {
        String first = s.split("[ ,(]", 2)[0];
        if (s.isEmpty() || first.contains("_") || first.contains(".")) {
            return s;
        }
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
