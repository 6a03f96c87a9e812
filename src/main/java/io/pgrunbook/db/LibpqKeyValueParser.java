package io.pgrunbook.db;

import io.pgrunbook.error.PgRunbookException;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads libpq {@code key=value} connection strings, quoting and escaping as libpq does. */
final class LibpqKeyValueParser {
    private final String text;
    private int pos;
    /** Set after a password value: a stray token there is most likely the rest of an unquoted password, so it is never echoed. */
    private boolean afterPassword;

    private LibpqKeyValueParser(String text) {
        this.text = text;
    }

    static GivenConninfo parse(String text) {
        return new LibpqKeyValueParser(text).parse();
    }

    private GivenConninfo parse() {
        Map<String, String> keywords = new LinkedHashMap<>();
        while (true) {
            skipSpaces();
            if (pos >= text.length()) {
                return new GivenConninfo(keywords, Map.of());
            }
            String key = readKey();
            skipSpaces();
            if (pos >= text.length() || text.charAt(pos) != '=') {
                throw afterPassword ? strayAfterPassword() : PgRunbookException.invalid("missing '=' after '"
                        + key + "' (expected key=value pairs such as host=db1 dbname=app)");
            }
            pos++;
            skipSpaces();
            if (afterPassword && !LibpqKeywords.SUPPORTED.contains(key)) {
                throw strayAfterPassword();
            }
            LibpqKeywords.requireSupported(key);
            String value = readValue(key);
            keywords.put(key, value);
            afterPassword = "password".equals(key);
        }
    }

    private static PgRunbookException strayAfterPassword() {
        return PgRunbookException.invalid("unexpected text after the password value:"
                + " quote a password that contains spaces or '=' in single quotes");
    }

    private String readKey() {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) != '=' && !Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
        return text.substring(start, pos);
    }

    private String readValue(String key) {
        StringBuilder value = new StringBuilder();
        if (pos < text.length() && text.charAt(pos) == '\'') {
            pos++;
            while (pos < text.length()) {
                char c = text.charAt(pos++);
                if (c == '\\' && pos < text.length()) {
                    value.append(text.charAt(pos++));
                } else if (c == '\'') {
                    return value.toString();
                } else {
                    value.append(c);
                }
            }
            throw PgRunbookException.invalid("unterminated quoted value for '" + key
                    + "': close it with ' (write \\' for a quote and \\\\ for a backslash inside)");
        }
        while (pos < text.length() && !Character.isWhitespace(text.charAt(pos))) {
            char c = text.charAt(pos++);
            if (c == '\\' && pos < text.length()) {
                c = text.charAt(pos++);
            }
            value.append(c);
        }
        return value.toString();
    }

    private void skipSpaces() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }
}
