package io.pgrunbook.steps.migrate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Lint findings (the rows of {@link LintRows}) for people and for CI: text that never cuts the why or
 * the safer advice, SARIF 2.1.0 for code-scanning upload, and GitHub workflow annotations.
 */
public final class LintFormats {
    private static final String URI = "https://github.com/pgrunbook/pgrunbook/blob/main/docs/migrate.md#lint";
    /** Where text wraps: long enough for a statement, short enough to read in a CI log. */
    private static final int WIDTH = 100;

    private LintFormats() {}

    /** One finding, read back from its evidence row. */
    private record Row(String file, int line, String severity, String rule, String table, String size, String why, String safer, String statement) {
        static Row of(List<Object> r) {
            return new Row(str(r.get(0)), ((Number) r.get(1)).intValue(), str(r.get(2)), str(r.get(3)), str(r.get(4)), str(r.get(5)),
                    str(r.get(6)), str(r.get(7)), str(r.get(8)));
        }

        private static String str(Object o) {
            return o == null ? null : o.toString();
        }
    }

    public static String text(List<List<Object>> rows, String summary) {
        StringBuilder sb = new StringBuilder();
        for (List<Object> raw : rows) {
            Row r = Row.of(raw);
            sb.append(r.file()).append(':').append(r.line()).append("  ").append(r.severity()).append("  ").append(r.rule());
            if (r.table() != null) {
                sb.append("  (table ").append(r.table()).append(r.size() == null ? "" : ": " + r.size()).append(')');
            }
            sb.append('\n');
            if (r.statement() != null) {
                String first = r.statement().lines().findFirst().orElse("");
                sb.append("    ").append(first).append(r.statement().contains("\n") ? " ..." : "").append('\n');
            }
            wrap(sb, "    why:   ", r.why());
            wrap(sb, "    safer: ", r.safer());
        }
        return sb.append(summary).append('\n').toString();
    }

    private static void wrap(StringBuilder sb, String label, String text) {
        String indent = " ".repeat(label.length());
        StringBuilder line = new StringBuilder(label);
        for (String word : text.split(" ")) {
            if (line.length() + word.length() + 1 > WIDTH && line.length() > label.length()) {
                sb.append(line.toString().stripTrailing()).append('\n');
                line.setLength(0);
                line.append(indent);
            }
            line.append(word).append(' ');
        }
        sb.append(line.toString().stripTrailing()).append('\n');
    }

    /** GitHub Actions workflow commands: one annotation per finding on its file and line. */
    public static String github(List<List<Object>> rows) {
        StringBuilder sb = new StringBuilder();
        for (List<Object> raw : rows) {
            Row r = Row.of(raw);
            String level = level(r.severity(), "notice");
            sb.append("::").append(level).append(" file=").append(property(r.file())).append(",line=").append(r.line())
                    .append(",title=").append(property("pgrunbook " + r.rule())).append("::")
                    .append(data(r.why() + ". Safer: " + r.safer() + (r.size() == null ? "" : " (table " + r.table() + ": " + r.size() + ")")))
                    .append('\n');
        }
        return sb.toString();
    }

    /** HIGH is an error, MEDIUM a warning, LOW whatever the format calls its mildest level. */
    private static String level(String severity, String mildest) {
        return switch (severity) {
            case "HIGH" -> "error";
            case "MEDIUM" -> "warning";
            default -> mildest;
        };
    }

    private static String data(String s) {
        return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
    }

    private static String property(String s) {
        return data(s).replace(":", "%3A").replace(",", "%2C");
    }

    /** SARIF 2.1.0, one run, the rules that fired described once each. */
    public static String sarif(List<List<Object>> rows, String toolVersion) {
        Map<String, Map<String, Object>> rules = new LinkedHashMap<>();
        List<Object> results = new ArrayList<>();
        for (List<Object> raw : rows) {
            Row r = Row.of(raw);
            String level = level(r.severity(), "note");
            LintRule rule = LintRule.byId(r.rule());
            rules.computeIfAbsent(r.rule(), id -> Map.of(
                    "id", id,
                    "shortDescription", Map.of("text", id.replace('-', ' ')),
                    "fullDescription", Map.of("text", rule == null ? r.why() : rule.why()),
                    "help", Map.of("text", "Safer: " + r.safer()),
                    "helpUri", URI,
                    "defaultConfiguration", Map.of("level", level)));
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("ruleId", r.rule());
            result.put("level", level);
            result.put("message", Map.of("text", r.why() + ". Safer: " + r.safer()
                    + (r.size() == null ? "" : ". Table " + r.table() + ": " + r.size())));
            result.put("locations", List.of(Map.of("physicalLocation", Map.of(
                    "artifactLocation", Map.of("uri", r.file().replace('\\', '/')),
                    "region", Map.of("startLine", r.line())))));
            results.add(result);
        }
        Map<String, Object> driver = new LinkedHashMap<>();
        driver.put("name", "pgrunbook");
        driver.put("version", toolVersion);
        driver.put("informationUri", URI);
        driver.put("rules", new ArrayList<>(rules.values()));
        Map<String, Object> sarif = new LinkedHashMap<>();
        sarif.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        sarif.put("version", "2.1.0");
        sarif.put("runs", List.of(Map.of("tool", Map.of("driver", driver), "results", results)));
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(sarif) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("SARIF could not be written: " + e.getMessage(), e);
        }
    }

    /** The one-line summary: counts by severity and the version judged for. */
    public static String summary(List<List<Object>> rows, int files, int versionNum) {
        Map<String, Integer> by = new LinkedHashMap<>(Map.of("HIGH", 0, "MEDIUM", 0, "LOW", 0));
        rows.forEach(r -> by.merge(String.valueOf(r.get(2)), 1, Integer::sum));
        String version = versionNum >= 100000 ? String.valueOf(versionNum / 10000) : versionNum / 10000 + "." + versionNum / 100 % 100;
        return String.format(Locale.ROOT, "lint: %d finding(s) in %d file(s): %d high, %d medium, %d low; judged for PostgreSQL %s",
                rows.size(), files, by.get("HIGH"), by.get("MEDIUM"), by.get("LOW"), version);
    }
}
