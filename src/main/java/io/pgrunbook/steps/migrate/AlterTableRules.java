package io.pgrunbook.steps.migrate;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The lint rules for the clauses of one ALTER TABLE on a table that exists before the migration. */
final class AlterTableRules {
    private static final Pattern ADD_COLUMN = Pattern.compile("^ADD (?:COLUMN )?(?:IF NOT EXISTS )?(?!CONSTRAINT|CHECK|FOREIGN|PRIMARY|UNIQUE|EXCLUDE)(\\S+) .*");
    private static final Pattern NOT_NULL_CHECK = Pattern.compile(
            "^ADD (?:CONSTRAINT (\\S+) )?CHECK ?\\( ?\\(?(\"[^\"]+\"|[A-Z0-9_$]+)\\)? IS NOT NULL ?\\)( NOT VALID)?$");
    private static final Pattern DEFAULT_CALL = Pattern.compile("([A-Z_][A-Z0-9_$]*(?:\\.[A-Z_][A-Z0-9_$]*)?|\"[^\"]+\") ?\\(");
    /** Where a column's DEFAULT expression ends: the next constraint keyword of the column definition. */
    private static final Pattern DEFAULT_END = Pattern.compile(" (NOT NULL|NULL|CONSTRAINT|CHECK|REFERENCES|PRIMARY KEY|UNIQUE|GENERATED|COLLATE)\\b");

    private AlterTableRules() {}

    /** Only what later files need to know (validated NOT NULL checks) from an ALTER TABLE on a table this migration created. */
    static void learnOnly(String table, String clauses, LintContext ctx) {
        for (String c : clauses(clauses)) {
            learn(Linter.bare(table), c, ctx, null);
        }
    }

    static void check(String table, String clauses, Linter.FileState state, boolean down, LintContext ctx, List<Linter.Hit> hits) {
        String bare = Linter.bare(table);
        for (String c : clauses(clauses)) {
            Matcher add = ADD_COLUMN.matcher(c);
            if (add.matches()) {
                addColumn(table, c, ctx, hits);
            }
            if (Patterns.full(c, "^ADD .*(FOREIGN KEY|REFERENCES|CHECK ?\\().*") && !c.contains("NOT VALID")) {
                hits.add(new Linter.Hit(LintRule.CONSTRAINT_NOT_VALID, table));
            }
            if (Patterns.full(c, "^ADD (CONSTRAINT \\S+ )?(UNIQUE|PRIMARY KEY|EXCLUDE)\\b.*") && !c.contains(" USING INDEX ")
                    || add.matches() && Patterns.full(c, ".* (PRIMARY KEY|UNIQUE)\\b.*")) {
                hits.add(new Linter.Hit(LintRule.UNIQUE_WITHOUT_INDEX, table));
            }
            Matcher nv = Patterns.of("^ADD CONSTRAINT (\\S+) .* NOT VALID$").matcher(c);
            if (nv.matches()) {
                state.notValid.add(Linter.bare(nv.group(1)));
            }
            Matcher v = Patterns.of("^VALIDATE CONSTRAINT (\\S+)").matcher(c);
            if (v.find() && state.transactional && state.notValid.contains(Linter.bare(v.group(1)))) {
                hits.add(new Linter.Hit(LintRule.VALIDATE_IN_SAME_TRANSACTION, table, "constraint " + Linter.bare(v.group(1))));
            }
            if (Patterns.full(c, "^ALTER (?:COLUMN )?\\S+ (?:SET DATA )?TYPE .*")) {
                hits.add(new Linter.Hit(LintRule.COLUMN_TYPE_CHANGE, table));
            }
            Matcher snn = Patterns.of("^ALTER (?:COLUMN )?(\\S+) SET NOT NULL").matcher(c);
            if (snn.find() && !ctx.notNullChecked(bare, snn.group(1))) {
                hits.add(new Linter.Hit(LintRule.SET_NOT_NULL, table, ctx.version() < 120000 ? "before PostgreSQL 12 even a validated CHECK does not spare the scan" : null));
            }
            if (!down && Patterns.full(c, "^ALTER (?:COLUMN )?\\S+ DROP NOT NULL.*")) {
                hits.add(new Linter.Hit(LintRule.DROP_NOT_NULL, table));
            }
            if (!down && Patterns.full(c, "^DROP (?:COLUMN )?(?!CONSTRAINT).*")) {
                hits.add(new Linter.Hit(LintRule.DROP_COLUMN, table));
            }
            if (Patterns.full(c, "^DETACH PARTITION .*") && !Patterns.full(c, ".* (CONCURRENTLY|FINALIZE)$")) {
                hits.add(new Linter.Hit(LintRule.DETACH_PARTITION_LOCKS, table, ctx.version() < 140000 ? "CONCURRENTLY needs PostgreSQL 14" : null));
            }
            // Learned after the checks: SET NOT NULL in the same statement as its CHECK is not spared.
            learn(bare, c, ctx, state);
        }
    }

    private static void learn(String table, String c, LintContext ctx, Linter.FileState state) {
        Matcher chk = NOT_NULL_CHECK.matcher(c);
        if (chk.matches()) {
            ctx.checkAdded(table, chk.group(1), chk.group(2), chk.group(3) == null);
        }
        Matcher v = Patterns.of("^VALIDATE CONSTRAINT (\\S+)").matcher(c);
        if (v.find()) {
            ctx.validated(v.group(1));
        }
    }

    private static void addColumn(String table, String c, LintContext ctx, List<Linter.Hit> hits) {
        boolean generatedStored = Patterns.full(c, ".* GENERATED ALWAYS AS ?\\(.*\\) STORED\\b.*");
        boolean identity = Patterns.full(c, ".* GENERATED (ALWAYS|BY DEFAULT) AS IDENTITY\\b.*") || Patterns.full(c, "^ADD (COLUMN )?(IF NOT EXISTS )?\\S+ (BIG|SMALL)?SERIAL\\b.*");
        int d = c.indexOf(" DEFAULT ");
        if (c.contains(" NOT NULL") && d < 0 && !generatedStored && !identity) {
            hits.add(new Linter.Hit(LintRule.NOT_NULL_WITHOUT_DEFAULT, table));
        }
        if (generatedStored) {
            hits.add(new Linter.Hit(LintRule.STORED_GENERATED, table));
        }
        if (identity) {
            hits.add(new Linter.Hit(LintRule.VOLATILE_DEFAULT, table, "an identity or serial column takes nextval() for every existing row"));
        }
        if (d < 0) {
            return;
        }
        String expr = c.substring(d + 9);
        Matcher end = DEFAULT_END.matcher(expr);
        expr = end.find() ? expr.substring(0, end.start()) : expr;
        if (ctx.version() < 110000) {
            hits.add(new Linter.Hit(LintRule.DEFAULT_REWRITE, table, "judged for PostgreSQL " + ctx.version() / 10000));
            return;
        }
        Matcher call = DEFAULT_CALL.matcher(expr);
        while (call.find()) {
            Boolean volatile_ = ctx.isVolatile(call.group(1));
            if (volatile_ == null || volatile_) {
                hits.add(new Linter.Hit(LintRule.VOLATILE_DEFAULT, table, call.group(1).toLowerCase(java.util.Locale.ROOT) + "() "
                        + (volatile_ == null ? "is neither a built-in known to be immutable or stable nor defined IMMUTABLE or STABLE by a migration here"
                        : "is volatile")));
                return;
            }
        }
    }

    /** The clauses of an ALTER TABLE, split at commas outside parentheses. */
    static List<String> clauses(String text) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '(') {
                depth++;
            } else if (ch == ')') {
                depth--;
            } else if (ch == ',' && depth == 0) {
                out.add(text.substring(start, i).strip());
                start = i + 1;
            }
        }
        out.add(text.substring(start).strip());
        return out;
    }
}
