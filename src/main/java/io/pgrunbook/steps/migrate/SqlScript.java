package io.pgrunbook.steps.migrate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A migration file cut into statements at top-level semicolons, aware of quotes, dollar quoting and
 * comments, so each statement can be linted, located to its line and run on its own.
 */
public final class SqlScript {
    /** {@code -- pgrunbook:allow RULE reason}: silences one rule for the statement that follows. */
    private static final Pattern ALLOW = Pattern.compile("--\\s*pgrunbook:allow\\s+([a-z0-9-]+)\\s*(.*)", Pattern.CASE_INSENSITIVE);

    /** One statement: its text, the line it starts on, its normalised form, and the rules silenced for it. */
    public record Statement(String text, int line, String normalized, List<Allow> allows) {
        /** Upper case, comments and string contents removed, whitespace collapsed: what rules match on. */
        public boolean matches(String regex) {
            return Pattern.compile(regex).matcher(normalized).find();
        }

        public Matcher matcher(String regex) {
            return Pattern.compile(regex).matcher(normalized);
        }
    }

    /** A silencing comment: the rule it names and the reason given (blank when none was). */
    public record Allow(String rule, String reason, int line) {}

    private SqlScript() {}

    public static List<Statement> split(String sql) {
        List<Statement> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        StringBuilder norm = new StringBuilder();
        List<Allow> allows = new ArrayList<>();
        int line = 1;
        int startLine = -1;
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
                Matcher m = ALLOW.matcher(sql.substring(i, end).strip());
                if (m.matches()) {
                    allows.add(new Allow(m.group(1).toLowerCase(Locale.ROOT), m.group(2).strip(), line));
                }
                if (startLine >= 0) {
                    text.append(sql, i, end);
                }
                i = end;
                continue;
            }
            if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int depth = 0;
                int j = i;
                while (j < n) {
                    if (sql.startsWith("/*", j)) {
                        depth++;
                        j += 2;
                    } else if (sql.startsWith("*/", j)) {
                        depth--;
                        j += 2;
                        if (depth == 0) {
                            break;
                        }
                    } else {
                        if (sql.charAt(j) == '\n') {
                            line++;
                        }
                        j++;
                    }
                }
                if (startLine >= 0) {
                    text.append(sql, i, j);
                }
                norm.append(' ');
                i = j;
                continue;
            }
            if (c == '\n') {
                line++;
            }
            if (Character.isWhitespace(c)) {
                if (startLine >= 0) {
                    text.append(c);
                }
                norm.append(' ');
                i++;
                continue;
            }
            if (c == ';') {
                flush(out, text, norm, startLine, allows);
                text.setLength(0);
                norm.setLength(0);
                allows = new ArrayList<>();
                startLine = -1;
                i++;
                continue;
            }
            if (startLine < 0) {
                startLine = line;
            }
            if (c == '\'' || c == '"') {
                boolean backslashes = c == '\'' && i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e');
                int j = i + 1;
                while (j < n) {
                    char d = sql.charAt(j);
                    if (backslashes && d == '\\') {
                        j += 2;
                        continue;
                    }
                    if (d == '\n') {
                        line++;
                    }
                    if (d == c) {
                        if (j + 1 < n && sql.charAt(j + 1) == c) {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                j = Math.min(j + 1, n);
                text.append(sql, i, j);
                // Identifiers keep their text (rules need table names); string contents do not matter.
                norm.append(c == '"' ? sql.substring(i, j) : "''");
                i = j;
                continue;
            }
            if (c == '$') {
                Matcher tag = Pattern.compile("\\$[A-Za-z_]*\\$").matcher(sql).region(i, n);
                if (tag.lookingAt() && (i == 0 || !Character.isLetterOrDigit(sql.charAt(i - 1)))) {
                    String t = tag.group();
                    int close = sql.indexOf(t, i + t.length());
                    int j = close < 0 ? n : close + t.length();
                    line += (int) sql.substring(i, j).chars().filter(ch -> ch == '\n').count();
                    text.append(sql, i, j);
                    norm.append("$$");
                    i = j;
                    continue;
                }
            }
            text.append(c);
            norm.append(Character.toUpperCase(c));
            i++;
        }
        flush(out, text, norm, startLine, allows);
        return out;
    }

    private static void flush(List<Statement> out, StringBuilder text, StringBuilder norm, int startLine, List<Allow> allows) {
        String t = text.toString().strip();
        if (startLine < 0 || t.isEmpty()) {
            return;
        }
        String normalized = norm.toString().strip().replaceAll("\\s+", " ");
        out.add(new Statement(t, startLine, normalized, List.copyOf(allows)));
    }
}
