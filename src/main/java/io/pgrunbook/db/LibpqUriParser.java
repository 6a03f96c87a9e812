package io.pgrunbook.db;

import io.pgrunbook.error.PgRunbookException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code postgresql://} and {@code postgres://} URIs as libpq documents them:
 * {@code postgresql://[user[:password]@][host][:port][,...][/dbname][?param=value&...]}.
 */
final class LibpqUriParser {
    private LibpqUriParser() {
    }

    static GivenConninfo parse(String uri) {
        int schemeEnd = uri.indexOf("://");
        String rest = uri.substring(schemeEnd + 3);
        Map<String, String> keywords = new LinkedHashMap<>();

        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        String authority = slash >= 0 ? rest.substring(0, slash) : rest;
        String path = slash >= 0 ? rest.substring(slash + 1) : null;

        int at = authority.lastIndexOf('@');
        if (at < 0 && path != null && path.contains("@")) {
            // Most likely a password with an unencoded '/': libpq would misread it, so say how to fix it.
            throw PgRunbookException.invalid("cannot tell user, host and database apart in the URI:"
                    + " percent-encode '/', '@' and ':' inside the user name or password (%2F, %40, %3A)");
        }
        if (at >= 0) {
            String userinfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userinfo.indexOf(':');
            String user = colon >= 0 ? userinfo.substring(0, colon) : userinfo;
            keywords.put("user", decode(user, "the user name"));
            if (colon >= 0) {
                keywords.put("password", decode(userinfo.substring(colon + 1), "the password"));
            }
        }
        parseHosts(authority, keywords);
        if (path != null && !path.isEmpty()) {
            keywords.put("dbname", decode(path, "the database name"));
        }
        if (query != null) {
            parseQuery(query, keywords);
        }
        return new GivenConninfo(keywords, Map.of());
    }

    private static void parseHosts(String hostList, Map<String, String> keywords) {
        if (hostList.isEmpty()) {
            return;
        }
        List<String> hosts = new ArrayList<>();
        List<String> ports = new ArrayList<>();
        for (String entry : hostList.split(",", -1)) {
            String host;
            String port = "";
            if (entry.startsWith("[")) {
                int close = entry.indexOf(']');
                if (close < 0) {
                    throw PgRunbookException.invalid("missing ']' after IPv6 address '" + entry + "'");
                }
                host = entry.substring(1, close);
                String after = entry.substring(close + 1);
                if (after.startsWith(":")) {
                    port = after.substring(1);
                } else if (!after.isEmpty()) {
                    throw PgRunbookException.invalid("unexpected '" + after + "' after IPv6 address [" + host + "]"
                            + " (expected :port)");
                }
            } else {
                int colon = entry.indexOf(':');
                if (colon >= 0 && entry.indexOf(':', colon + 1) >= 0) {
                    throw PgRunbookException.invalid("host '" + entry + "' has several ':'; write IPv6 addresses"
                            + " in brackets, e.g. postgresql://[::1]:5432/app");
                }
                host = colon >= 0 ? entry.substring(0, colon) : entry;
                port = colon >= 0 ? entry.substring(colon + 1) : "";
            }
            hosts.add(decode(host, "a host name"));
            ports.add(decode(port, "a port"));
        }
        keywords.put("host", String.join(",", hosts));
        if (ports.stream().anyMatch(p -> !p.isEmpty())) {
            keywords.put("port", String.join(",", ports));
        }
    }

    private static void parseQuery(String query, Map<String, String> keywords) {
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq < 0) {
                throw PgRunbookException.invalid("URI parameter '" + decode(pair, "a parameter name")
                        + "' has no value (expected ?key=value&key=value)");
            }
            String key = decode(pair.substring(0, eq), "a parameter name");
            String value = decode(pair.substring(eq + 1), "the value of parameter '" + key + "'");
            if ("ssl".equals(key) && "true".equals(value)) {
                // libpq's own JDBC-compatibility rule.
                keywords.put("sslmode", "require");
                continue;
            }
            LibpqKeywords.requireSupported(key);
            keywords.put(key, value);
        }
    }

    /** libpq's percent-decoding: %XX only ('+' stays '+'), UTF-8, and no %00. */
    static String decode(String text, String what) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '%') {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            int value = i + 2 < text.length() ? hex(text.charAt(i + 1), text.charAt(i + 2)) : -1;
            if (value < 0) {
                throw PgRunbookException.invalid("invalid percent-encoding in " + what
                        + ": '%' must be followed by two hex digits (write %25 for a literal %)");
            }
            if (value == 0) {
                throw PgRunbookException.invalid("%00 is not allowed in " + what);
            }
            bytes.write(value);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw PgRunbookException.invalid("percent-encoded bytes in " + what + " are not valid UTF-8");
        }
    }

    private static int hex(char high, char low) {
        int h = Character.digit(high, 16);
        int l = Character.digit(low, 16);
        return h < 0 || l < 0 ? -1 : h * 16 + l;
    }
}
