package io.pgrunbook.runbook.load;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${ident:name}} and {@code ${literal:name}} in a step's SQL, as in migrations: where a bind
 * parameter cannot go (a database, table or role name; a utility statement's literal), the variable's
 * value is written into the SQL quoted, so no value can change the statement's shape. Quoting is done
 * here rather than by the server so that a plan shows the exact SQL without connecting: an identifier
 * is always double-quoted (its case kept, quotes doubled); a literal uses the E'' form, which means
 * the same whatever the server's standard_conforming_strings.
 */
final class SqlTemplates {
    static final Pattern TEMPLATE = Pattern.compile("\\$\\{(ident|literal):([A-Za-z_][A-Za-z0-9_]*)}");
    static final String HOW = "write :name for a value (a bind parameter), ${ident:name} for an identifier, "
            + "or ${literal:name} for a literal where a parameter cannot go";
    private static final int NAMEDATALEN = 63;

    private SqlTemplates() {}

    /** A problem with one {@code ${...}}: the token to point at and what to say. */
    record Fault(String token, String message) {}

    /** The SQL with every template replaced, or the faults found (then the text is not to be used). */
    record Expansion(String sql, List<Fault> faults) {}

    static Expansion expand(String sql, Map<String, Object> vars) {
        List<Fault> faults = new java.util.ArrayList<>();
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (int at = sql.indexOf("${"); at >= 0; at = sql.indexOf("${", from)) {
            out.append(sql, from, at);
            Matcher m = TEMPLATE.matcher(sql).region(at, sql.length());
            if (!m.lookingAt()) {
                int close = sql.indexOf('}', at);
                String token = close < 0 ? sql.substring(at) : sql.substring(at, close + 1);
                faults.add(new Fault("${", "'" + token + "' in SQL is never expanded: " + HOW));
                from = at + 2;
                continue;
            }
            String kind = m.group(1);
            String name = m.group(2);
            Object value = vars.get(name);
            if (!vars.containsKey(name)) {
                faults.add(new Fault(m.group(), "undefined variable '" + name + "' in " + m.group()
                        + "; declare it under vars: or pass --set " + name + "=..."));
            } else if (value == null || value instanceof Map || value instanceof List) {
                faults.add(new Fault(m.group(), m.group() + " needs a single value, but variable '" + name + "' is "
                        + (value == null ? "null" : "a " + (value instanceof Map ? "mapping" : "list"))));
            } else {
                String text = String.valueOf(value);
                String problem = kind.equals("ident") ? identifierProblem(text) : text.indexOf('\0') >= 0 ? "contains a NUL character" : null;
                if (problem != null) {
                    faults.add(new Fault(m.group(), m.group() + ": the value of '" + name + "' " + problem));
                } else {
                    out.append(kind.equals("ident") ? quoteIdentifier(text) : quoteLiteral(text));
                }
            }
            from = m.end();
        }
        out.append(sql.substring(from));
        return new Expansion(out.toString(), faults);
    }

    static String quoteIdentifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static String quoteLiteral(String value) {
        return value.indexOf('\\') >= 0 ? "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'" : "'" + value.replace("'", "''") + "'";
    }

    private static String identifierProblem(String name) {
        if (name.isEmpty()) {
            return "is empty, which is not an identifier";
        }
        if (name.indexOf('\0') >= 0) {
            return "contains a NUL character";
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        return bytes > NAMEDATALEN ? "is " + bytes + " bytes long; PostgreSQL would cut it to " + NAMEDATALEN : null;
    }
}
