package io.pgrunbook.db;

import io.pgrunbook.error.PgRunbookException;

import java.net.URLDecoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code jdbc:postgresql:} URLs the way pgjdbc does (URLDecoder for values, {@code //host:port,...}
 * or a bare database name), keeping every pgjdbc property except user and password in the URL.
 */
final class JdbcUrlParser {
    static final String PREFIX = "jdbc:postgresql:";

    private JdbcUrlParser() {
    }

    static GivenConninfo parse(String url) {
        String rest = url.substring(PREFIX.length());
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        Map<String, String> keywords = new LinkedHashMap<>();
        Map<String, String> jdbcParams = new LinkedHashMap<>();
        if (rest.startsWith("//")) {
            String server = rest.substring(2);
            int slash = server.indexOf('/');
            String hostList = slash >= 0 ? server.substring(0, slash) : server;
            if (hostList.contains("@")) {
                throw PgRunbookException.invalid("jdbc:postgresql URLs do not take user@host: write"
                        + " jdbc:postgresql://host:port/db?user=NAME and keep the password in ~/.pgpass or PGPASSWORD");
            }
            parseHosts(hostList, keywords);
            if (slash >= 0 && slash + 1 < server.length()) {
                keywords.put("dbname", decode(server.substring(slash + 1), "the database name"));
            }
        } else {
            String db = rest.startsWith("/") ? rest.substring(1) : rest;
            if (!db.isEmpty()) {
                keywords.put("dbname", decode(db, "the database name"));
            }
        }
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = eq >= 0 ? pair.substring(0, eq) : pair;
                String value = eq >= 0 ? decode(pair.substring(eq + 1), "the value of '" + key + "'") : "";
                switch (key) {
                    case "user", "password", "service" -> keywords.put(key, value);
                    default -> jdbcParams.put(key, value);
                }
            }
        }
        return new GivenConninfo(keywords, jdbcParams, true);
    }

    private static void parseHosts(String hostList, Map<String, String> keywords) {
        if (hostList.isEmpty()) {
            return;
        }
        List<String> hosts = new ArrayList<>();
        List<String> ports = new ArrayList<>();
        for (String entry : hostList.split(",", -1)) {
            int colon = entry.lastIndexOf(':');
            boolean hasPort = colon >= 0 && colon > entry.lastIndexOf(']');
            String host = hasPort ? entry.substring(0, colon) : entry;
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            hosts.add(host);
            ports.add(hasPort ? entry.substring(colon + 1) : "");
        }
        keywords.put("host", String.join(",", hosts));
        if (ports.stream().anyMatch(p -> !p.isEmpty())) {
            keywords.put("port", String.join(",", ports));
        }
    }

    private static String decode(String text, String what) {
        try {
            return URLDecoder.decode(text, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw PgRunbookException.invalid("invalid percent-encoding in " + what + " of the jdbc:postgresql URL");
        }
    }
}
