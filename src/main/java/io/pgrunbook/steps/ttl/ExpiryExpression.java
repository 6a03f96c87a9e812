package io.pgrunbook.steps.ttl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An expiry expression of the form users write, "column + constant interval"
 * ({@code created_at + interval '30 days'}, {@code created_at + make_interval(days => 30)},
 * {@code created_at::timestamptz + '30 days'::interval}, {@code 2 * interval '1 week' + "Created At"}),
 * read as the column and the interval. A sweep then asks for {@code column < now() - interval},
 * which the plain index on the column serves: the expression itself cannot be indexed on a
 * timestamptz column (timestamptz + interval depends on the TimeZone setting, so it is not immutable)
 * and an index on the column does not serve a predicate on the expression. Anything else is swept
 * as the expression it is.
 */
final class ExpiryExpression {
    /** @param column the column's name as the catalog spells it; @param offset the interval, as the author wrote it */
    record Rewrite(String column, String offset) {}

    private static final String IDENT = "\"(?:[^\"]|\"\")+\"|[A-Za-z_][A-Za-z0-9_$]*";
    /** Casts that keep every instant (a cast to date would truncate, and is swept as an expression). */
    private static final String POINT_TYPE = "timestamptz|timestamp(?:\\s+with(?:out)?\\s+time\\s+zone)?";
    private static final Pattern COLUMN = Pattern.compile("^(?:cast\\s*\\(\\s*(" + IDENT + ")\\s+as\\s+(?:" + POINT_TYPE + ")\\s*\\)"
            + "|(" + IDENT + ")(?:\\s*::\\s*(?:" + POINT_TYPE + "))?)$", Pattern.CASE_INSENSITIVE);
    private static final String LITERAL = "'(?:[^']|'')*'";
    private static final String ONE_INTERVAL = "(?:interval\\s*" + LITERAL + "(?:\\s+(?:year|month|day|hour|minute|second)s?)?"
            + "|" + LITERAL + "\\s*::\\s*interval|cast\\s*\\(\\s*" + LITERAL + "\\s+as\\s+interval\\s*\\)"
            + "|make_interval\\s*\\([^()';]*\\))";
    private static final String NUMBER = "\\d+(?:\\.\\d+)?";
    private static final Pattern INTERVAL = Pattern.compile("^(?:" + NUMBER + "\\s*\\*\\s*)?" + ONE_INTERVAL + "(?:\\s*\\*\\s*" + NUMBER + ")?$",
            Pattern.CASE_INSENSITIVE);

    private ExpiryExpression() {}

    static Optional<Rewrite> rewrite(String expression) {
        if (expression == null) {
            return Optional.empty();
        }
        List<String> terms = topLevelTerms(unwrap(expression.strip()));
        if (terms.size() != 2) {
            return Optional.empty();
        }
        for (int i = 0; i < 2; i++) {
            Matcher column = COLUMN.matcher(unwrap(terms.get(i)));
            String offset = unwrap(terms.get(1 - i));
            if (column.matches() && INTERVAL.matcher(offset).matches()) {
                return Optional.of(new Rewrite(name(column.group(1) != null ? column.group(1) : column.group(2)), offset));
            }
        }
        return Optional.empty();
    }

    /** The identifier as the catalog has it: quoted as written, unquoted folded to lower case. */
    private static String name(String ident) {
        return ident.startsWith("\"") ? ident.substring(1, ident.length() - 1).replace("\"\"", "\"") : ident.toLowerCase(Locale.ROOT);
    }

    /** The expression without parentheses that enclose all of it. */
    private static String unwrap(String s) {
        String t = s.strip();
        while (t.startsWith("(") && t.endsWith(")") && closingOf(t, 0) == t.length() - 1) {
            t = t.substring(1, t.length() - 1).strip();
        }
        return t;
    }

    private static int closingOf(String s, int open) {
        int depth = 0;
        boolean quote = false;
        boolean ident = false;
        for (int i = open; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\'' && !ident) {
                quote = !quote;
            } else if (ch == '"' && !quote) {
                ident = !ident;
            } else if (!quote && !ident && ch == '(') {
                depth++;
            } else if (!quote && !ident && ch == ')' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /** The operands of "+" outside quotes and parentheses; one term when there is a "-" at that level too. */
    private static List<String> topLevelTerms(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int from = 0;
        boolean quote = false;
        boolean ident = false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\'' && !ident) {
                quote = !quote;
            } else if (ch == '"' && !quote) {
                ident = !ident;
            } else if (!quote && !ident) {
                if (ch == '(') {
                    depth++;
                } else if (ch == ')') {
                    depth--;
                } else if (depth == 0 && ch == '+') {
                    out.add(s.substring(from, i).strip());
                    from = i + 1;
                } else if (depth == 0 && ch == '-') {
                    return List.of(s);
                }
            }
        }
        out.add(s.substring(from).strip());
        return out;
    }
}
