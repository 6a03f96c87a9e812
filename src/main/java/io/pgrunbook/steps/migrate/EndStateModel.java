package io.pgrunbook.steps.migrate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the applied migrations should leave behind, found by replaying their CREATE, DROP and RENAME
 * statements in order: an index created by one migration and dropped or renamed by a later one is
 * not expected at the end, its new name is. Anything the statements cannot tell for sure (a DO
 * block or function call that mentions the object, a CASCADE, a dropped column under an index) makes
 * the object "uncertain": it is then not required to exist, because a false failure on a real
 * history is worse than a missed one (the INVALID-index check still applies to it).
 */
final class EndStateModel {
    private static final String NAME = "((?:\"(?:[^\"]|\"\")+\"|[A-Z0-9_$]+)(?:\\.(?:\"(?:[^\"]|\"\")+\"|[A-Z0-9_$]+))?)";
    private static final String KINDS = "(INDEX|TABLE|VIEW|MATERIALIZED VIEW|SEQUENCE|FUNCTION|PROCEDURE|TYPE|DOMAIN|SCHEMA|EXTENSION)";
    private static final Pattern CREATE_INDEX = Pattern.compile(
            "^CREATE (?:UNIQUE )?INDEX (?:CONCURRENTLY )?(?:IF NOT EXISTS )?" + NAME + " ON (?:ONLY )?" + NAME);
    private static final Pattern CREATE = Pattern.compile("^CREATE (?:OR REPLACE )?(?:(?:GLOBAL |LOCAL )?(TEMP|TEMPORARY) |UNLOGGED |TRUSTED |RECURSIVE )?"
            + "(TABLE|VIEW|MATERIALIZED VIEW|SEQUENCE|FUNCTION|PROCEDURE|TYPE|DOMAIN|SCHEMA|EXTENSION) (?:IF NOT EXISTS )?" + NAME);
    private static final Pattern DROP = Pattern.compile("^DROP " + KINDS + " (?:CONCURRENTLY )?(?:IF EXISTS )?(.*)$");
    private static final Pattern RENAME = Pattern.compile("^ALTER " + KINDS + " (?:IF EXISTS )?(?:ONLY )?" + NAME + "(?:\\(.*?\\))? RENAME TO " + NAME);
    private static final Pattern SET_SCHEMA = Pattern.compile("^ALTER " + KINDS + " (?:IF EXISTS )?" + NAME + "(?:\\(.*?\\))? SET SCHEMA " + NAME);
    private static final Pattern ALTER_TABLE = Pattern.compile("^ALTER TABLE (?:IF EXISTS )?(?:ONLY )?" + NAME + " (.*)$");
    private static final Pattern USING_INDEX = Pattern.compile("ADD CONSTRAINT " + NAME + " (?:UNIQUE|PRIMARY KEY) USING INDEX " + NAME);
    private static final Pattern RENAME_CONSTRAINT = Pattern.compile("RENAME CONSTRAINT " + NAME + " TO " + NAME);
    private static final Pattern DROP_CONSTRAINT = Pattern.compile("DROP CONSTRAINT (?:IF EXISTS )?" + NAME);
    /** Statements that run code the replay cannot see into. */
    private static final Pattern OPAQUE = Pattern.compile("^(DO|SELECT|CALL|EXECUTE|PERFORM|WITH)\\b");

    /** One object the end state should have: its kind ("relation" for tables, views, sequences), where it came from. */
    record Expected(String kind, String schema, String name, String table, String origin, boolean uncertain) {
        String display() {
            return (kind.equals("relation") ? "table/view " : kind + " ") + (schema == null ? "" : schema + ".") + name;
        }
    }

    private final Map<String, Expected> objects = new LinkedHashMap<>();
    private final List<Expected> indexesEverCreated = new ArrayList<>();

    /** Replays one applied part; origin names it in failures, e.g. "042 (042_rename_posts.up.sql:7)". */
    void apply(String version, String file, List<SqlScript.Statement> statements) {
        for (SqlScript.Statement s : statements) {
            apply(s, version + " (" + file + ":" + s.line() + ")");
        }
    }

    Map<String, Expected> expected() {
        return objects;
    }

    /** Every index any replayed statement created, under the name it has at the end if it was renamed. */
    List<Expected> indexesEverCreated() {
        List<Expected> out = new ArrayList<>(indexesEverCreated);
        objects.values().stream().filter(e -> e.kind().equals("index")).forEach(out::add);
        return out;
    }

    private void apply(SqlScript.Statement s, String origin) {
        String n = s.normalized();
        Matcher m;
        if ((m = CREATE_INDEX.matcher(n)).find()) {
            put(new Expected("index", schema(m.group(1), m.group(2)), bare(m.group(1)), bare(m.group(2)), origin, false));
        } else if ((m = CREATE.matcher(n)).find()) {
            if (m.group(1) == null) {
                put(new Expected(kind(m.group(2)), schema(m.group(3), null), bare(m.group(3)), null, origin, false));
            }
        } else if ((m = DROP.matcher(n)).find()) {
            String kind = kind(m.group(1));
            boolean cascade = m.group(2).matches(".*\\bCASCADE\\s*$");
            for (String name : names(m.group(2).replaceAll("\\s+(CASCADE|RESTRICT)\\s*$", ""))) {
                drop(kind, name);
            }
            if (cascade) {
                objects.replaceAll((k, e) -> e.kind().equals("index") ? e : uncertain(e));
            }
        } else if ((m = RENAME.matcher(n)).find()) {
            rename(kind(m.group(1)), m.group(2), m.group(3), origin);
        } else if ((m = SET_SCHEMA.matcher(n)).find()) {
            Expected e = objects.remove(key(kind(m.group(1)), m.group(2)));
            if (e != null) {
                put(new Expected(e.kind(), bare(m.group(3)), e.name(), e.table(), origin, e.uncertain()));
            }
        } else if ((m = ALTER_TABLE.matcher(n)).find()) {
            alterTable(bare(m.group(1)), m.group(2), origin);
        }
        if (OPAQUE.matcher(n).find()) {
            String text = s.text();
            objects.replaceAll((k, e) -> mentions(text, e.name()) ? uncertain(e) : e);
        }
    }

    /** Whether the text names the object as a whole word (so a table "t" is not found in every "t" of a DO block). */
    private static boolean mentions(String text, String name) {
        String t = text.toLowerCase(Locale.ROOT);
        String n = name.toLowerCase(Locale.ROOT);
        for (int at = t.indexOf(n); at >= 0; at = t.indexOf(n, at + 1)) {
            boolean before = at == 0 || !isWordChar(t.charAt(at - 1));
            boolean after = at + n.length() >= t.length() || !isWordChar(t.charAt(at + n.length()));
            if (before && after) {
                return true;
            }
        }
        return false;
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private void alterTable(String table, String rest, String origin) {
        Matcher m;
        if ((m = USING_INDEX.matcher(rest)).find()) {
            rename("index", m.group(2), m.group(1), origin);
        }
        if ((m = RENAME_CONSTRAINT.matcher(rest)).find()) {
            rename("index", m.group(1), m.group(2), origin);
        }
        m = DROP_CONSTRAINT.matcher(rest);
        while (m.find()) {
            drop("index", m.group(1));
        }
        if (rest.matches("^(?:.*, )?DROP (?:COLUMN )?(?!CONSTRAINT).*")) {
            // A dropped column takes its indexes with it; which ones the text alone does not say.
            objects.replaceAll((k, e) -> table.equals(e.table()) ? uncertain(e) : e);
        }
    }

    private void rename(String kind, String from, String to, String origin) {
        Expected e = objects.remove(key(kind, from));
        String schema = e != null ? e.schema() : schema(from, null);
        String table = e != null ? e.table() : null;
        if (kind.equals("relation")) {
            String old = bare(from);
            objects.replaceAll((k, x) -> old.equals(x.table()) ? new Expected(x.kind(), x.schema(), x.name(), bare(to), x.origin(), x.uncertain()) : x);
        }
        put(new Expected(kind, schema, bare(to), table, origin, e != null && e.uncertain()));
    }

    private void drop(String kind, String name) {
        Expected e = objects.remove(key(kind, name));
        if (e != null && kind.equals("index")) {
            indexesEverCreated.add(e);
        }
        if (kind.equals("relation")) {
            String table = bare(name);
            objects.entrySet().removeIf(x -> {
                boolean owned = x.getValue().kind().equals("index") && table.equals(x.getValue().table());
                if (owned) {
                    indexesEverCreated.add(x.getValue());
                }
                return owned;
            });
        }
        if (kind.equals("schema")) {
            String schema = bare(name);
            objects.entrySet().removeIf(x -> schema.equals(x.getValue().schema()));
            objects.replaceAll((k, x) -> x.schema() == null ? uncertain(x) : x);
        }
    }

    private void put(Expected e) {
        objects.remove(e.kind() + ":" + e.name());
        objects.put(e.kind() + ":" + e.name(), e);
    }

    private static Expected uncertain(Expected e) {
        return new Expected(e.kind(), e.schema(), e.name(), e.table(), e.origin(), true);
    }

    private static String key(String kind, String qualified) {
        return kind + ":" + bare(qualified.replaceAll("\\(.*$", ""));
    }

    private static String kind(String keyword) {
        return switch (keyword) {
            case "INDEX" -> "index";
            case "FUNCTION", "PROCEDURE" -> "function";
            case "TYPE", "DOMAIN" -> "type";
            case "SCHEMA" -> "schema";
            case "EXTENSION" -> "extension";
            default -> "relation";
        };
    }

    /** The schema an index or object is in: its own qualifier, else (for an index) its table's. */
    private static String schema(String name, String table) {
        String q = qualifier(name);
        return q != null ? q : table == null ? null : qualifier(table);
    }

    private static String qualifier(String name) {
        int dot = topLevelDot(name);
        return dot < 0 ? null : bare(name.substring(0, dot));
    }

    private static int topLevelDot(String name) {
        boolean quoted = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '.' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    /** The last part of a possibly qualified name, folded as PostgreSQL folds it. */
    static String bare(String name) {
        String n = name.strip().replaceAll("\\(.*$", "").strip();
        int dot = topLevelDot(n);
        n = dot < 0 ? n : n.substring(dot + 1);
        return n.startsWith("\"") ? n.substring(1, n.length() - 1).replace("\"\"", "\"") : n.toLowerCase(Locale.ROOT);
    }

    /** Names in a DROP list, split at commas outside parentheses (function signatures) and quotes. */
    private static List<String> names(String list) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')') {
                depth--;
            } else if (!quoted && depth == 0 && c == ',') {
                out.add(list.substring(start, i).strip());
                start = i + 1;
            }
        }
        out.add(list.substring(start).strip());
        out.removeIf(String::isEmpty);
        return out;
    }
}
