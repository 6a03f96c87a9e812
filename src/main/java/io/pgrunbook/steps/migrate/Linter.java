package io.pgrunbook.steps.migrate;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Says what is unsafe in a migration before it runs. Rules that concern tables created in the same
 * migration are not reported: a new, empty table cannot be locked against anyone.
 */
public final class Linter {
    private static final String NAME = "((?:\"[^\"]+\"|[A-Z0-9_$]+)(?:\\.(?:\"[^\"]+\"|[A-Z0-9_$]+))?)";
    private static final String VOLATILE = "(CLOCK_TIMESTAMP|RANDOM|GEN_RANDOM_UUID|UUID_GENERATE_V[14]|NEXTVAL|TIMEOFDAY|TXID_CURRENT)\\s*\\(";

    /** One finding: where, which rule, and the table it concerns (for its size), if known. */
    public record Finding(Path file, int line, LintRule rule, String table, String statement) {
        public String describe() {
            return file.getFileName() + ":" + line + ": [" + rule.severity() + " " + rule.id() + "] " + rule.why()
                    + "; safer: " + rule.rewrite();
        }
    }

    private Linter() {}

    /**
     * @param down whether this is a down part: dropping what the up part created is its purpose, so the
     *             backward-compatibility rules do not apply
     */
    public static List<Finding> lint(Path file, List<SqlScript.Statement> statements, boolean down) {
        List<Finding> out = new ArrayList<>();
        Set<String> created = new HashSet<>();
        for (SqlScript.Statement s : statements) {
            Matcher ct = s.matcher("^CREATE (?:UNLOGGED |TEMP |TEMPORARY )?TABLE (?:IF NOT EXISTS )?" + NAME);
            if (ct.find()) {
                created.add(bare(ct.group(1)));
            }
            List<Hit> hits = new ArrayList<>();
            check(s, created, down, hits);
            Set<String> allowed = new HashSet<>();
            for (SqlScript.Allow a : s.allows()) {
                if (LintRule.byId(a.rule()) == null || a.reason().isBlank()) {
                    out.add(new Finding(file, a.line(), LintRule.INVALID_ALLOW, null, "-- pgrunbook:allow " + a.rule() + " " + a.reason()));
                } else {
                    allowed.add(a.rule());
                }
            }
            for (Hit h : hits) {
                if (!allowed.contains(h.rule.id())) {
                    out.add(new Finding(file, s.line(), h.rule, h.table, s.text()));
                }
            }
        }
        return out;
    }

    private record Hit(LintRule rule, String table) {}

    private static void check(SqlScript.Statement s, Set<String> created, boolean down, List<Hit> hits) {
        Matcher ci = s.matcher("^CREATE (?:UNIQUE )?INDEX (?!CONCURRENTLY).*? ON (?:ONLY )?" + NAME);
        if (ci.find() && !created.contains(bare(ci.group(1)))) {
            hits.add(new Hit(LintRule.CREATE_INDEX_LOCKS, ci.group(1)));
        }
        if (s.matches("^DROP INDEX (?!CONCURRENTLY)")) {
            hits.add(new Hit(LintRule.DROP_INDEX_LOCKS, null));
        }
        Matcher at = s.matcher("^ALTER TABLE (?:IF EXISTS )?(?:ONLY )?" + NAME);
        String altered = at.find() ? at.group(1) : null;
        boolean existing = altered != null && !created.contains(bare(altered));
        if (existing) {
            for (String clause : s.normalized().substring(at.end()).split(",(?![^(]*\\))")) {
                String c = clause.strip();
                if (c.matches("^ADD (?:COLUMN )?(?:IF NOT EXISTS )?(?!CONSTRAINT|CHECK|FOREIGN|PRIMARY|UNIQUE|EXCLUDE).*")) {
                    if (c.contains(" NOT NULL") && !c.contains(" DEFAULT ")) {
                        hits.add(new Hit(LintRule.NOT_NULL_WITHOUT_DEFAULT, altered));
                    }
                    if (c.matches(".* DEFAULT .*" + VOLATILE + ".*")) {
                        hits.add(new Hit(LintRule.VOLATILE_DEFAULT, altered));
                    }
                }
                if (c.matches("^ADD .*(FOREIGN KEY|REFERENCES|CHECK ?\\().*") && !c.contains("NOT VALID")) {
                    hits.add(new Hit(LintRule.CONSTRAINT_NOT_VALID, altered));
                }
                if (c.matches("^ALTER (?:COLUMN )?\\S+ (?:SET DATA )?TYPE .*")) {
                    hits.add(new Hit(LintRule.COLUMN_TYPE_CHANGE, altered));
                }
                if (c.matches("^ALTER (?:COLUMN )?\\S+ SET NOT NULL.*")) {
                    hits.add(new Hit(LintRule.SET_NOT_NULL, altered));
                }
                if (!down && c.matches("^DROP (?:COLUMN )?(?!CONSTRAINT).*")) {
                    hits.add(new Hit(LintRule.DROP_COLUMN, altered));
                }
            }
        }
        if (!down && s.matches("^ALTER (?:TABLE|INDEX|VIEW|SEQUENCE|SCHEMA|TYPE|FUNCTION|MATERIALIZED VIEW) .* RENAME ")) {
            hits.add(new Hit(LintRule.RENAME, altered));
        }
        if (!down) {
            Matcher dt = s.matcher("^DROP TABLE (?:IF EXISTS )?" + NAME);
            if (dt.find() && !created.contains(bare(dt.group(1)))) {
                hits.add(new Hit(LintRule.DROP_TABLE, dt.group(1)));
            }
        }
        Matcher tr = s.matcher("^TRUNCATE (?:TABLE )?(?:ONLY )?" + NAME);
        if (tr.find()) {
            hits.add(new Hit(LintRule.TRUNCATE, tr.group(1)));
        }
        Matcher vf = s.matcher("^(?:VACUUM (?:\\(.*FULL.*\\)|FULL)|CLUSTER)\\b(?: VERBOSE)?(?: " + NAME + ")?");
        if (vf.find()) {
            hits.add(new Hit(LintRule.TABLE_REWRITE, vf.group(1)));
        }
        Matcher dc = s.matcher("^(?:WITH .*\\) )?(?:INSERT INTO|UPDATE|DELETE FROM|COPY) (?:ONLY )?" + NAME);
        if (dc.find() && !created.contains(bare(dc.group(1)))) {
            hits.add(new Hit(LintRule.DATA_CHANGE, dc.group(1)));
        }
    }

    /** The table name without schema or quotes, lower-cased as PostgreSQL folds it. */
    static String bare(String name) {
        String n = name.contains(".") && !name.endsWith("\"") ? name.substring(name.lastIndexOf('.') + 1) : name;
        if (n.contains("\".\"")) {
            n = n.substring(n.indexOf("\".\"") + 2);
        }
        return n.startsWith("\"") ? n.substring(1, n.length() - 1) : n.toLowerCase(Locale.ROOT);
    }
}
