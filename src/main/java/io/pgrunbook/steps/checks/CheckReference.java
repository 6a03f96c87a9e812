package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.runbook.ParamSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * docs/checks.md, generated from the registered checks so that the reference cannot drift from the
 * code: CheckReferenceTest fails while they differ, and rewrites the file when run with
 * {@code mvn -q -B test -Dtest=CheckReferenceTest -Dchecks.regenerate=true}.
 */
public final class CheckReference {
    private CheckReference() {}

    public static List<Check> checks(StepRegistry registry) {
        return registry.all().stream().filter(t -> t instanceof Check).map(t -> (Check) t)
                .sorted(Comparator.comparing(Check::name)).toList();
    }

    public static String markdown(StepRegistry registry) {
        StringBuilder b = new StringBuilder();
        b.append("<!-- GENERATED from the code by io.pgrunbook.steps.checks.CheckReference: do not edit by hand. -->\n");
        b.append("# The checks catalog\n\n");
        b.append("Each check is a step type (`type: check.NAME`) that reads only, in a READ ONLY transaction with the step's\n");
        b.append("timeouts. It compares what it measures with `warning` and `critical`: breaching `critical` is FAIL, breaching\n");
        b.append("only `warning` is WARN, else PASS (a step with `severity: warning` caps FAIL at WARN, as for every step).\n");
        b.append("A check that does not apply (an extension missing) is SKIP with the reason; a database error (a table that does\n");
        b.append("not exist, a view the role may not read) is ERROR for that step only. A breach's message ends with what to do.\n");
        b.append("Count checks (threshold on the number of offending objects) have no default `critical`: they WARN unless you set one.\n\n");
        b.append("Versions. Checks choose their SQL by server version where the statistics views differ (PostgreSQL 13 to 17):\n");
        b.append("`pg_stat_checkpointer` from 17, `reserved_connections` from 16, `last_idx_scan` (`check.unused_indexes`' `unused_for`)\n");
        b.append("from 16, `archive_library` from 15. Only PostgreSQL 15 (15.20) ran for real in the tests; the SQL chosen for the\n");
        b.append("other versions is tested as text (`VersionedSqlTest`, `CheckWordingTest`).\n\n");
        b.append("Regenerate after changing a check: `mvn -q -B test -Dtest=CheckReferenceTest -Dchecks.regenerate=true`\n");
        b.append("(`CheckReferenceTest` fails while this file differs from the code).\n\n");
        b.append("| check | what it checks |\n| --- | --- |\n");
        for (Check c : checks(registry)) {
            b.append("| [`").append(c.name()).append("`](#").append(c.name().replace(".", "")).append(") | ").append(c.summary()).append(" |\n");
        }
        for (Check c : checks(registry)) {
            Threshold t = c.threshold();
            b.append("\n## ").append(c.name()).append("\n\n").append(capitalise(c.summary())).append(".\n\n");
            b.append("Measure: ").append(t.column() == null ? "the number of offending objects" : "`" + t.column() + "`"
                    + (t.unit().isEmpty() ? "" : " (" + t.unit() + ")")).append(", ").append(t.worseAbove() ? "higher is worse" : "lower is worse")
                    .append(".\n\n");
            b.append("| parameter | type | required | description |\n| --- | --- | --- | --- |\n");
            for (ParamSpec p : c.parameters()) {
                b.append("| `").append(p.name()).append("` | ").append(p.kind().description()).append(" | ").append(p.required() ? "yes" : "no")
                        .append(" | ").append(p.description().replace("|", "\\|")).append(" |\n");
            }
            b.append("\nRecommendation on a breach: ").append(c.recommendation()).append(".\n");
        }
        return b.toString();
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/checks.md");
        Files.writeString(out, markdown(StepRegistry.load()), StandardCharsets.UTF_8);
        System.out.println("wrote " + out);
    }
}
