package io.pgrunbook.steps.migrate;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the linter knows across the files of one directory, in version order: the server version the
 * rules judge for, the volatility of functions the migrations define, and which columns already have
 * a validated {@code CHECK (col IS NOT NULL)} (so SET NOT NULL skips its scan from PostgreSQL 12 on).
 */
public final class LintContext {
    /** The version judged for when neither --pg-version nor a database says: the newest this linter knows. */
    public static final int LATEST = 170000;

    /** Built-ins whose result changes per row: a DEFAULT calling one makes ADD COLUMN rewrite the table. */
    private static final Set<String> VOLATILE = Set.of("CLOCK_TIMESTAMP", "RANDOM", "RANDOM_NORMAL", "GEN_RANDOM_UUID", "GEN_RANDOM_BYTES",
            "UUID_GENERATE_V1", "UUID_GENERATE_V1MC", "UUID_GENERATE_V4", "UUIDV4", "UUIDV7", "NEXTVAL", "TIMEOFDAY", "TXID_CURRENT", "SETVAL",
            "PG_CURRENT_XACT_ID");
    /** Built-ins that are immutable or stable (evaluated once for ADD COLUMN from 11 on), and type names written with parentheses. */
    private static final Set<String> NOT_VOLATILE = Set.of("NOW", "TRANSACTION_TIMESTAMP", "STATEMENT_TIMESTAMP", "CURRENT_SETTING", "LOWER", "UPPER",
            "COALESCE", "NULLIF", "GREATEST", "LEAST", "CONCAT", "MAKE_DATE", "MAKE_INTERVAL", "TO_TIMESTAMP", "TO_DATE", "TO_JSONB", "TO_JSON",
            "JSONB_BUILD_OBJECT", "JSON_BUILD_OBJECT", "JSONB_BUILD_ARRAY", "ARRAY_FILL", "CURRENT_USER", "CURRENT_SCHEMA", "MD5", "ROUND", "ABS",
            "LENGTH", "TRIM", "BTRIM", "SUBSTRING", "REPLACE", "FORMAT", "DATE_TRUNC", "EXTRACT", "DATE_PART", "POSITION", "TO_CHAR",
            "NUMERIC", "DECIMAL", "VARCHAR", "CHAR", "CHARACTER", "VARYING", "TIMESTAMP", "TIMESTAMPTZ", "TIME", "TIMETZ", "INTERVAL", "BIT",
            "ROW", "ARRAY", "CAST", "FLOAT", "VARBIT", "NOT", "IN", "AND", "OR", "ANY", "ALL");
    private static final Pattern FUNCTION = Pattern.compile(
            "^CREATE (?:OR REPLACE )?FUNCTION ((?:\"[^\"]+\"|[A-Z0-9_$]+)(?:\\.(?:\"[^\"]+\"|[A-Z0-9_$]+))?)");

    private final int version;
    private final Map<String, Boolean> functionVolatile = new HashMap<>();
    private final Set<String> notNullChecked = new HashSet<>();
    /** Constraint name to "table.column" for a CHECK (col IS NOT NULL) added NOT VALID and not validated yet. */
    private final Map<String, String> notNullPending = new HashMap<>();

    public LintContext(int versionNum) {
        this.version = versionNum <= 0 ? LATEST : versionNum;
    }

    public int version() {
        return version;
    }

    /** "11", "9.6", "15.4" or a server_version_num such as 150004; null or blank is the newest. */
    public static int parseVersion(String text) {
        if (text == null || text.isBlank()) {
            return LATEST;
        }
        Matcher m = Patterns.of("(\\d+)(?:\\.(\\d+))?(?:\\.\\d+)?").matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a PostgreSQL version; give e.g. 11, 9.6 or 150004");
        }
        int major = Integer.parseInt(m.group(1));
        if (major >= 10000) {
            return major;
        }
        if (major < 9 || major > 99) {
            throw new IllegalArgumentException("PostgreSQL " + text + " is not a version the rules know; give 9.6 up to " + LATEST / 10000);
        }
        return major >= 10 ? major * 10000 : major * 10000 + (m.group(2) == null ? 0 : Integer.parseInt(m.group(2)) * 100);
    }

    /** Whether a function called in a DEFAULT is volatile; null when neither the built-ins nor the migrations say. */
    Boolean isVolatile(String name) {
        String bare = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : name;
        String key = bare.replace("\"", "").toUpperCase(Locale.ROOT);
        if (functionVolatile.containsKey(key)) {
            return functionVolatile.get(key);
        }
        if (VOLATILE.contains(key)) {
            return true;
        }
        return NOT_VOLATILE.contains(key) ? false : null;
    }

    boolean notNullChecked(String table, String column) {
        return version >= 120000 && notNullChecked.contains(table + "." + Linter.bare(column));
    }

    /** Learns from a statement once it has been checked, so later files are judged with it. */
    void learn(SqlScript.Statement s) {
        Matcher f = FUNCTION.matcher(s.normalized());
        if (f.find()) {
            // A function without IMMUTABLE or STABLE is VOLATILE: PostgreSQL's own default.
            functionVolatile.put(Linter.bare(f.group(1)).toUpperCase(Locale.ROOT),
                    !Patterns.full(s.normalized(), ".*\\b(IMMUTABLE|STABLE)\\b.*"));
        }
    }

    void checkAdded(String table, String constraint, String column, boolean validated) {
        String key = table + "." + Linter.bare(column);
        if (validated) {
            notNullChecked.add(key);
        } else if (constraint != null) {
            notNullPending.put(Linter.bare(constraint), key);
        }
    }

    void validated(String constraint) {
        String key = notNullPending.remove(Linter.bare(constraint));
        if (key != null) {
            notNullChecked.add(key);
        }
    }
}
