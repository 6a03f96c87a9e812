package io.pgrunbook.steps.migrate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A migration file cut into statements at top-level semicolons, as psql cuts it: aware of quotes,
 * dollar quoting (tags with digits too), nested comments, {@code BEGIN ATOMIC ... END} bodies of
 * SQL-standard functions, and {@code COPY ... FROM stdin} with its data up to the {@code \.} line.
 * A psql meta-command ({@code \set}, {@code \i}, {@code \gset}...) is not SQL and is refused with its line.
 */
public final class SqlScript {
    /** {@code -- pgrunbook:allow RULE reason}: silences one rule for the statement that follows. */
    private static final Pattern ALLOW = Pattern.compile("--\\s*pgrunbook:allow\\s+([a-z0-9-]+)\\s*(.*)", Pattern.CASE_INSENSITIVE);

    private static final Pattern DOLLAR_TAG = Pattern.compile("\\$(?:[A-Za-z_\\u0080-\\uffff][A-Za-z0-9_\\u0080-\\uffff]*)?\\$");
    private static final Pattern ROUTINE = Pattern.compile("^CREATE (?:OR REPLACE )?(?:FUNCTION|PROCEDURE)\\b");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern COPY_FROM_STDIN = Pattern.compile("^COPY .* FROM STDIN\\b");

    /**
     * One statement: its text, the line it starts on, its normalised form, the rules silenced for it, and
     * for {@code COPY ... FROM stdin} the data lines that followed it (else null).
     */
    public record Statement(String text, int line, String normalized, List<Allow> allows, String copyData) {
        public Statement(String text, int line, String normalized, List<Allow> allows) {
            this(text, line, normalized, allows, null);
        }

        /** Upper case, comments and string contents removed, whitespace collapsed: what rules match on. */
        public boolean matches(String regex) {
            return Patterns.of(regex).matcher(normalized).find();
        }

        public Matcher matcher(String regex) {
            return Patterns.of(regex).matcher(normalized);
        }
    }

    /** A silencing comment: the rule it names and the reason given (blank when none was). */
    public record Allow(String rule, String reason, int line) {}

    /** A file that is not plain SQL, e.g. a psql meta-command; the message names the line. */
    public static final class NotSqlException extends MigrationException {
        public NotSqlException(String message) {
            super(message);
        }
    }

    private SqlScript() {}

    /** Splits a file's text; a part that is not SQL is refused naming the file and line. */
    public static List<Statement> split(String sql, java.nio.file.Path file) {
        try {
            return split(sql);
        } catch (NotSqlException e) {
            throw new NotSqlException(file.getFileName() + ": " + e.getMessage());
        }
    }

    public static List<Statement> split(String sql) {
        List<Statement> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        StringBuilder norm = new StringBuilder();
        List<Allow> allows = new ArrayList<>();
        int line = 1;
        int startLine = -1;
        int i = 0;
        int n = sql.length();
        // Depth of BEGIN ATOMIC ... END (and CASE ... END inside it) in a CREATE FUNCTION or PROCEDURE: semicolons there do not end the statement.
        int atomic = 0;
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
            if (c == ';' && atomic > 0) {
                text.append(c);
                norm.append(c);
                i++;
                continue;
            }
            if (c == ';') {
                String copyData = null;
                i++;
                if (startLine >= 0 && norm.toString().stripLeading().startsWith("COPY")
                        && COPY_FROM_STDIN.matcher(WHITESPACE.matcher(norm.toString().strip()).replaceAll(" ")).find()) {
                    // The data starts on the next line and ends at a line holding only \. (or at the end of the file).
                    int from = sql.indexOf('\n', i);
                    from = from < 0 ? n : from + 1;
                    int end = from;
                    StringBuilder data = new StringBuilder();
                    while (end < n) {
                        int eol = sql.indexOf('\n', end);
                        String l = sql.substring(end, eol < 0 ? n : eol);
                        end = eol < 0 ? n : eol + 1;
                        if (l.stripTrailing().equals("\\.")) {
                            break;
                        }
                        data.append(l).append('\n');
                    }
                    line += (int) sql.substring(i, end).chars().filter(ch -> ch == '\n').count();
                    copyData = data.toString();
                    i = end;
                }
                flush(out, text, norm, startLine, allows, copyData);
                text.setLength(0);
                norm.setLength(0);
                allows = new ArrayList<>();
                startLine = -1;
                continue;
            }
            if (c == '\\') {
                int end = sql.indexOf('\n', i);
                String command = sql.substring(i, end < 0 ? n : end).strip();
                throw new NotSqlException("line " + line + ": " + command.split("\\s+")[0] + " is a psql meta-command, not SQL; pgrunbook sends SQL "
                        + "to the server itself, so write it as SQL (e.g. SET for \\set, the file's text for \\i) or run this file with psql");
            }
            if ((Character.isLetter(c) || c == '_') && (i == 0 || !isIdentifierChar(sql.charAt(i - 1)))) {
                int j = i;
                while (j < n && isIdentifierChar(sql.charAt(j))) {
                    j++;
                }
                String word = sql.substring(i, j).toUpperCase(Locale.ROOT);
                if (startLine < 0) {
                    startLine = line;
                }
                if (atomic > 0 && (word.equals("CASE") || word.equals("BEGIN"))) {
                    atomic++;
                } else if (atomic > 0 && word.equals("END")) {
                    atomic--;
                } else if (word.equals("ATOMIC") && norm.toString().stripTrailing().endsWith(" BEGIN")
                        && ROUTINE.matcher(norm.toString().strip().replaceAll("\\s+", " ")).find()) {
                    atomic = 1;
                }
                text.append(sql, i, j);
                norm.append(word);
                i = j;
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
                Matcher tag = DOLLAR_TAG.matcher(sql).region(i, n);
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
        flush(out, text, norm, startLine, allows, null);
        return out;
    }

    private static boolean isIdentifierChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private static void flush(List<Statement> out, StringBuilder text, StringBuilder norm, int startLine, List<Allow> allows, String copyData) {
        String t = text.toString().strip();
        if (startLine < 0 || t.isEmpty()) {
            return;
        }
        String normalized = WHITESPACE.matcher(norm.toString().strip()).replaceAll(" ");
        out.add(new Statement(t, startLine, normalized, List.copyOf(allows), copyData));
    }
}
