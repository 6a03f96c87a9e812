package io.pgrunbook.steps.migrate;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Says what is unsafe in a migration before it runs, from the file alone. Rules that concern tables
 * created in the same migration are not reported: a new, empty table cannot be locked against anyone.
 * Per-statement rules live here; ALTER TABLE's clauses in {@link AlterTableRules}.
 */
public final class Linter {
    static final String NAME = "((?:\"[^\"]+\"|[A-Z0-9_$]+)(?:\\.(?:\"[^\"]+\"|[A-Z0-9_$]+))?)";
    /** The longest identifier PostgreSQL keeps (NAMEDATALEN - 1 bytes). */
    private static final int MAX_IDENTIFIER_BYTES = 63;

    /** One finding: where, which rule, the table it concerns (for its size) if known, and what in particular, if anything. */
    public record Finding(Path file, int line, LintRule rule, String table, String statement, String detail) {
        public Finding(Path file, int line, LintRule rule, String table, String statement) {
            this(file, line, rule, table, statement, null);
        }

        public String why() {
            return detail == null ? rule.why() : rule.why() + " (" + detail + ")";
        }

        public String describe() {
            return file.getFileName() + ":" + line + ": [" + rule.severity() + " " + rule.id() + "] " + why() + "; safer: " + rule.rewrite();
        }
    }

    /** A rule broken by a statement, before pgrunbook:allow comments are applied. */
    record Hit(LintRule rule, String table, String detail) {
        Hit(LintRule rule, String table) {
            this(rule, table, null);
        }
    }

    private Linter() {}

    /** One file on its own, judged for the newest server version (plans and single files). */
    public static List<Finding> lint(Path file, List<SqlScript.Statement> statements, boolean down) {
        return lint(file, statements, down, new LintContext(LintContext.LATEST));
    }

    /**
     * @param down whether this is a down part: dropping what the up part created is its purpose, so the
     *             backward-compatibility rules do not apply
     * @param ctx  what earlier files taught (functions, validated checks) and the server version; learns from this file
     */
    public static List<Finding> lint(Path file, List<SqlScript.Statement> statements, boolean down, LintContext ctx) {
        List<Finding> out = new ArrayList<>();
        FileState state = new FileState(MigrationExecutor.transactional(statements, ctx.version()), statements.size());
        for (SqlScript.Statement s : statements) {
            Matcher ct = s.matcher("^CREATE (?:UNLOGGED |TEMP |TEMPORARY )?TABLE (?:IF NOT EXISTS )?" + NAME);
            if (ct.find()) {
                state.created.add(bare(ct.group(1)));
            }
            List<Hit> hits = new ArrayList<>();
            check(s, state, down, ctx, hits);
            ctx.learn(s);
            Set<String> allowed = new HashSet<>();
            for (SqlScript.Allow a : s.allows()) {
                if (LintRule.byId(a.rule()) == null || a.reason().isBlank()) {
                    out.add(new Finding(file, a.line(), LintRule.INVALID_ALLOW, null, "-- pgrunbook:allow " + a.rule() + " " + a.reason()));
                } else {
                    allowed.add(a.rule());
                    if (hits.stream().noneMatch(h -> h.rule().id().equals(a.rule()))) {
                        out.add(new Finding(file, a.line(), LintRule.UNUSED_ALLOW, null, "-- pgrunbook:allow " + a.rule() + " " + a.reason(),
                                "the statement at line " + s.line() + " does not break " + a.rule()));
                    }
                }
            }
            for (Hit h : hits) {
                if (!allowed.contains(h.rule().id())) {
                    out.add(new Finding(file, s.line(), h.rule(), h.table() == null ? null : display(h.table()), s.text(), h.detail()));
                }
            }
        }
        if (state.openedAt != null) {
            out.add(new Finding(file, state.openedAt.line(), LintRule.TRANSACTION_LEFT_OPEN, null, state.openedAt.text()));
        }
        return out;
    }

    /** What one file has done so far: tables it created, an explicit transaction it opened, constraints it added NOT VALID, enum values it added. */
    static final class FileState {
        final boolean transactional;
        final int statements;
        final Set<String> created = new HashSet<>();
        final Set<String> notValid = new HashSet<>();
        final List<String> enumValues = new ArrayList<>();
        SqlScript.Statement openedAt;

        FileState(boolean transactional, int statements) {
            this.transactional = transactional;
            this.statements = statements;
        }
    }

    private static void check(SqlScript.Statement s, FileState state, boolean down, LintContext ctx, List<Hit> hits) {
        String n = s.normalized();
        transaction(s, state, hits);
        Matcher ci = s.matcher("^CREATE (?:UNIQUE )?INDEX (?!CONCURRENTLY).*? ON (?:ONLY )?" + NAME);
        if (ci.find() && !state.created.contains(bare(ci.group(1)))) {
            hits.add(new Hit(LintRule.CREATE_INDEX_LOCKS, ci.group(1)));
        }
        if (s.matches("^DROP INDEX (?!CONCURRENTLY)")) {
            hits.add(new Hit(LintRule.DROP_INDEX_LOCKS, null));
        }
        if (s.matches("^REINDEX\\b") && !s.matches("\\bCONCURRENTLY\\b")) {
            hits.add(new Hit(LintRule.REINDEX_LOCKS, null));
        }
        Matcher at = s.matcher("^ALTER TABLE (?:IF EXISTS )?(?:ONLY )?" + NAME);
        if (at.find() && !state.created.contains(bare(at.group(1)))) {
            AlterTableRules.check(at.group(1), n.substring(at.end()), state, down, ctx, hits);
        } else if (at.find(0)) {
            AlterTableRules.learnOnly(at.group(1), n.substring(at.end()), ctx);
        }
        if (!down && s.matches("^ALTER (?:TABLE|INDEX|VIEW|SEQUENCE|SCHEMA|TYPE|FUNCTION|MATERIALIZED VIEW) .* RENAME ")
                && !(at.find(0) && state.created.contains(bare(at.group(1))))) {
            hits.add(new Hit(LintRule.RENAME, at.find(0) ? at.group(1) : null));
        }
        if (!down) {
            Matcher dt = s.matcher("^DROP TABLE (?:IF EXISTS )?" + NAME);
            if (dt.find() && !state.created.contains(bare(dt.group(1)))) {
                hits.add(new Hit(LintRule.DROP_TABLE, dt.group(1)));
            }
        }
        if (s.matches("^DROP DATABASE\\b")) {
            hits.add(new Hit(LintRule.DROP_DATABASE, null));
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
        if (dc.find() && !state.created.contains(bare(dc.group(1)))) {
            hits.add(new Hit(LintRule.DATA_CHANGE, dc.group(1)));
        }
        if (s.matches("^CREATE DOMAIN .*\\b(CHECK|NOT NULL|CONSTRAINT)\\b")
                || s.matches("^ALTER DOMAIN .* ADD\\b") && !s.matches("\\bNOT VALID\\b")) {
            hits.add(new Hit(LintRule.DOMAIN_CONSTRAINT, null));
        }
        enumValues(s, state, ctx, hits);
        String longName = longIdentifier(n);
        if (longName != null) {
            hits.add(new Hit(LintRule.IDENTIFIER_TOO_LONG, null, longName.length() + " characters: " + longName));
        }
        if (!state.transactional && state.statements > 1 && !rerunnable(n)) {
            hits.add(new Hit(LintRule.NOT_RERUNNABLE, null));
        }
    }

    private static void transaction(SqlScript.Statement s, FileState state, List<Hit> hits) {
        if (s.matches("^(BEGIN|START TRANSACTION)\\b")) {
            hits.add(new Hit(LintRule.TRANSACTION_CONTROL, null));
            state.openedAt = s;
        } else if (s.matches("^(COMMIT|END|ROLLBACK|ABORT)\\b(?! PREPARED)")) {
            hits.add(new Hit(LintRule.TRANSACTION_CONTROL, null));
            state.openedAt = null;
        } else if (state.openedAt != null && s.matches("\\bCONCURRENTLY\\b")) {
            hits.add(new Hit(LintRule.CONCURRENTLY_IN_TRANSACTION, null));
        }
    }

    private static void enumValues(SqlScript.Statement s, FileState state, LintContext ctx, List<Hit> hits) {
        if (s.matches("^ALTER TYPE .* ADD VALUE\\b")) {
            if (!s.matches(" (BEFORE|AFTER) ''")) {
                hits.add(new Hit(LintRule.ENUM_VALUE_ORDER, null));
            }
            Matcher v = Patterns.of("(?i)ADD\\s+VALUE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?('(?:[^']|'')*')").matcher(s.text());
            if (v.find()) {
                state.enumValues.add(v.group(1));
            }
            return;
        }
        // From 12 on ADD VALUE runs inside the migration's transaction, and the new value cannot be used before it commits.
        if (state.transactional && ctx.version() >= 120000) {
            for (String value : state.enumValues) {
                if (s.text().contains(value)) {
                    hits.add(new Hit(LintRule.ENUM_VALUE_USED_IN_TRANSACTION, null, value + " is added earlier in this migration"));
                    return;
                }
            }
        }
    }

    /** Whether running the statement a second time, after a failure half-way, would succeed. */
    private static boolean rerunnable(String n) {
        if (Patterns.full(n, "^CREATE (UNIQUE )?INDEX .*") || Patterns.full(n, "^CREATE (UNLOGGED )?(TABLE|SEQUENCE|SCHEMA|EXTENSION|MATERIALIZED VIEW) .*")) {
            return n.contains(" IF NOT EXISTS ");
        }
        if (Patterns.full(n, "^DROP (INDEX|TABLE|SEQUENCE|SCHEMA|EXTENSION|VIEW|MATERIALIZED VIEW|FUNCTION|TYPE|TRIGGER) .*")) {
            return n.contains(" IF EXISTS ");
        }
        if (Patterns.full(n, "^ALTER TABLE .* ADD (COLUMN )?(?!CONSTRAINT|CHECK|FOREIGN|PRIMARY|UNIQUE|EXCLUDE).*")) {
            return n.contains(" IF NOT EXISTS ");
        }
        return true;
    }

    /** The first identifier longer than PostgreSQL keeps, as written, or null. String contents are already blanked. */
    private static String longIdentifier(String n) {
        Matcher m = Patterns.of("\"((?:[^\"]|\"\")+)\"|([A-Z_][A-Z0-9_$]*)").matcher(n);
        while (m.find()) {
            String id = m.group(1) != null ? m.group(1) : m.group(2).toLowerCase(Locale.ROOT);
            if (id.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
                return id;
            }
        }
        return null;
    }

    /** A name from the normalised text as it was written: unquoted parts lower-cased (PostgreSQL folds them), quoted ones kept. */
    static String display(String name) {
        StringBuilder sb = new StringBuilder();
        Matcher m = Patterns.of("\"(?:[^\"]|\"\")*\"|[^.\"]+|\\.").matcher(name);
        while (m.find()) {
            sb.append(m.group().startsWith("\"") ? m.group() : m.group().toLowerCase(Locale.ROOT));
        }
        return sb.toString();
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
