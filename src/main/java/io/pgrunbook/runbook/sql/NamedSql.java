package io.pgrunbook.runbook.sql;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * SQL with {@code :name} placeholders, rewritten to JDBC {@code ?} markers so that variables reach the
 * server as bind parameters and are never spliced into the text. Placeholders inside string literals,
 * quoted identifiers, dollar-quoted bodies and comments are left alone, and so are {@code ::} casts.
 *
 * @param text       the SQL as written in the runbook
 * @param jdbcSql    the same SQL with each placeholder replaced by {@code ?}
 * @param parameters the variable bound to each {@code ?}, in order (a name may repeat)
 * @param offsets    the offset in {@code text} of each placeholder's colon, for error locations
 */
public record NamedSql(String text, String jdbcSql, List<String> parameters, List<Integer> offsets) {

    public NamedSql {
        parameters = List.copyOf(parameters);
        offsets = List.copyOf(offsets);
    }

    public Set<String> distinctParameters() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(parameters));
    }

    public static NamedSql parse(String text) {
        StringBuilder out = new StringBuilder(text.length());
        List<String> names = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            int skipTo = skipQuotedOrComment(text, i);
            if (skipTo > i) {
                out.append(text, i, skipTo);
                i = skipTo;
            } else if (c == ':' && i + 1 < n && text.charAt(i + 1) == ':') {
                out.append("::");
                i += 2;
            } else if (c == ':' && i + 1 < n && isNameStart(text.charAt(i + 1)) && !precededByNameChar(text, i)) {
                int end = i + 1;
                while (end < n && isNamePart(text.charAt(end))) {
                    end++;
                }
                names.add(text.substring(i + 1, end));
                offsets.add(i);
                out.append('?');
                i = end;
            } else if (c == '?') {
                // A literal '?' would be taken for a bind marker by the driver (jsonb operators use it).
                out.append("??");
                i++;
            } else {
                out.append(c);
                i++;
            }
        }
        return new NamedSql(text, out.toString(), names, offsets);
    }

    /**
     * Each statement of the text, as written (stripped), split at the semicolons that end statements
     * (not those inside literals, quoted identifiers, dollar-quoted bodies or comments); a piece that
     * holds only comments or blanks is no statement, as the server sees it.
     */
    public List<String> statements() {
        List<String> out = new ArrayList<>();
        int start = 0;
        boolean hasCode = false;
        int i = 0;
        while (i <= text.length()) {
            if (i == text.length() || text.charAt(i) == ';') {
                if (hasCode) {
                    out.add(text.substring(start, i).strip());
                }
                start = i + 1;
                hasCode = false;
                i++;
                continue;
            }
            int skipTo = skipQuotedOrComment(text, i);
            boolean comment = text.startsWith("--", i) || text.startsWith("/*", i);
            if (skipTo > i) {
                hasCode |= !comment;
                i = skipTo;
            } else {
                hasCode |= !Character.isWhitespace(text.charAt(i));
                i++;
            }
        }
        return out;
    }

    /**
     * The first two words of each statement, upper-cased (one word when the statement has only one),
     * with literals, quoted identifiers and comments left out: enough to tell, say, a COMMIT from a SELECT.
     */
    public List<String> statementHeads() {
        StringBuilder skeleton = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            int skipTo = skipQuotedOrComment(text, i);
            if (skipTo > i) {
                skeleton.append(' ');
                i = skipTo;
            } else {
                skeleton.append(text.charAt(i));
                i++;
            }
        }
        List<String> heads = new ArrayList<>();
        for (String statement : skeleton.toString().split(";")) {
            String[] words = statement.strip().split("\\s+", 3);
            if (!words[0].isEmpty()) {
                heads.add((words[0] + (words.length > 1 ? " " + words[1] : "")).toUpperCase(java.util.Locale.ROOT));
            }
        }
        return heads;
    }

    /** Returns the index after a literal, quoted identifier or comment starting at {@code i}, else {@code i}. */
    private static int skipQuotedOrComment(String s, int i) {
        char c = s.charAt(i);
        int n = s.length();
        if (c == '\'') {
            boolean backslashEscapes = i > 0 && (s.charAt(i - 1) == 'E' || s.charAt(i - 1) == 'e')
                    && (i < 2 || !isNamePart(s.charAt(i - 2)));
            int j = i + 1;
            while (j < n) {
                char d = s.charAt(j);
                if (backslashEscapes && d == '\\') {
                    j += 2;
                    continue;
                }
                if (d == '\'') {
                    if (j + 1 < n && s.charAt(j + 1) == '\'') {
                        j += 2;
                        continue;
                    }
                    return j + 1;
                }
                j++;
            }
            return n;
        }
        if (c == '"') {
            int end = s.indexOf('"', i + 1);
            return end < 0 ? n : end + 1;
        }
        if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
            int end = s.indexOf('\n', i);
            return end < 0 ? n : end;
        }
        if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
            int depth = 0;
            int j = i;
            while (j < n - 1) {
                if (s.charAt(j) == '/' && s.charAt(j + 1) == '*') {
                    depth++;
                    j += 2;
                } else if (s.charAt(j) == '*' && s.charAt(j + 1) == '/') {
                    depth--;
                    j += 2;
                    if (depth == 0) {
                        return j;
                    }
                } else {
                    j++;
                }
            }
            return n;
        }
        if (c == '$' && !precededByNameChar(s, i)) {
            int tagEnd = i + 1;
            while (tagEnd < n && isNamePart(s.charAt(tagEnd))) {
                tagEnd++;
            }
            if (tagEnd < n && s.charAt(tagEnd) == '$' && (tagEnd == i + 1 || !Character.isDigit(s.charAt(i + 1)))) {
                String tag = s.substring(i, tagEnd + 1);
                int close = s.indexOf(tag, tagEnd + 1);
                return close < 0 ? n : close + tag.length();
            }
        }
        return i;
    }

    private static boolean precededByNameChar(String s, int i) {
        return i > 0 && isNamePart(s.charAt(i - 1));
    }

    private static boolean isNameStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    private static boolean isNamePart(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
