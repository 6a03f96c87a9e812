package io.pgrunbook.db;

import io.pgrunbook.error.PgRunbookException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Fills what a connection string left out, in libpq's order: the string, then the service it (or
 * PGSERVICE) names, then the PG* environment variables, then the defaults.
 */
final class ConninfoResolver {
    static final String DEFAULT_HOST = "localhost";
    static final int DEFAULT_PORT = 5432;
    private static final String FROM_STRING = "in the connection string";

    /** A value and where it came from, so errors can point at the right place. */
    private record Value(String value, String from) {
    }

    private final GivenConninfo given;
    private final Map<String, String> env;
    private final String service;
    private final Properties serviceProps;
    private final String serviceFrom;

    private ConninfoResolver(GivenConninfo given, Map<String, String> env) {
        this.given = given;
        this.env = env;
        Value named = pick("service", null, "PGSERVICE");
        this.service = named == null ? null : named.value();
        this.serviceFrom = named == null ? null : "from service '" + service + "'";
        this.serviceProps = named == null ? new Properties() : PgServiceLookup.lookup(service, named.from());
    }

    static ConnectionSpec resolve(GivenConninfo given, Map<String, String> env) {
        return new ConninfoResolver(given, env).resolve();
    }

    private ConnectionSpec resolve() {
        Value hostValue = pick("host", "PGHOST", "PGHOST");
        List<String> hosts = hosts(hostValue, given.jdbcForm());
        List<Integer> ports = ports(pick("port", "PGPORT", "PGPORT"), hosts.size());
        Value userValue = pick("user", "user", "PGUSER");
        String user = userValue != null ? userValue.value() : defaultUser();
        Value dbValue = pick("dbname", "PGDBNAME", "PGDATABASE");
        String database = dbValue != null ? dbValue.value() : user;
        Value password = pick("password", "password", "PGPASSWORD");

        Map<String, String> pgjdbcSettings = new LinkedHashMap<>();
        Map<String, String> libpqSettings = new LinkedHashMap<>();
        for (ConninfoSettings.Setting setting : ConninfoSettings.ALL) {
            if (given.jdbcParams().containsKey(setting.pgjdbcName())) {
                continue;
            }
            Value v = pick(setting.libpqName(), setting.pgjdbcName(), setting.envVar());
            if (v == null) {
                continue;
            }
            if (v.from().equals(serviceFrom)) {
                pgjdbcSettings.put(setting.pgjdbcName(), v.value());
            } else {
                pgjdbcSettings.put(setting.pgjdbcName(), setting.toPgjdbc().apply(v.value(), v.from()));
                libpqSettings.put(setting.libpqName(), v.value());
            }
        }
        if (UnixSockets.isSocketDirectory(hosts.get(0)) && !given.jdbcParams().containsKey("socketFactory")) {
            pgjdbcSettings.putAll(UnixSockets.pgjdbcSettings(hosts.get(0), ports.get(0)));
        }
        return new ConnectionSpec(hosts, ports, database, user,
                password == null ? null : password.value(), service, pgjdbcSettings, libpqSettings,
                given.jdbcParams(), given.keyword("application_name"), secrets());
    }

    /** The string's value, else the service's (under pgjdbc's name serviceKey), else the environment variable's. */
    private Value pick(String keyword, String serviceKey, String envVar) {
        String fromString = given.keyword(keyword);
        if (fromString != null) {
            return new Value(fromString, FROM_STRING);
        }
        if (serviceKey != null && serviceProps != null) {
            String fromService = serviceProps.getProperty(serviceKey);
            if (fromService != null && !fromService.isEmpty()) {
                return new Value(fromService, serviceFrom);
            }
        }
        String fromEnv = env.get(envVar);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return new Value(fromEnv, "from " + envVar);
        }
        return null;
    }

    /** libpq's default is its socket directory; pgjdbc's (for a jdbc:postgresql URL) is localhost. */
    private static List<String> hosts(Value value, boolean jdbcForm) {
        if (value == null) {
            return List.of(jdbcForm ? DEFAULT_HOST : UnixSockets.defaultDirectory());
        }
        List<String> hosts = new ArrayList<>();
        for (String host : value.value().split(",", -1)) {
            String h = host.strip();
            if (h.startsWith("[") && h.endsWith("]")) {
                h = h.substring(1, h.length() - 1);
            }
            hosts.add(h.isEmpty() ? (jdbcForm ? DEFAULT_HOST : UnixSockets.defaultDirectory()) : h);
        }
        UnixSockets.checkHostList(hosts, value.from());
        return List.copyOf(hosts);
    }

    private static List<Integer> ports(Value value, int hostCount) {
        if (value == null) {
            return java.util.Collections.nCopies(hostCount, DEFAULT_PORT);
        }
        String[] parts = value.value().split(",", -1);
        if (parts.length != 1 && parts.length != hostCount) {
            throw PgRunbookException.invalid(parts.length + " ports " + value.from() + " for " + hostCount
                    + " hosts: give one port for all hosts or one per host, in the same order");
        }
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < hostCount; i++) {
            ports.add(port(parts[parts.length == 1 ? 0 : i].strip(), value.from()));
        }
        return List.copyOf(ports);
    }

    private static int port(String text, String from) {
        if (text.isEmpty()) {
            return DEFAULT_PORT;
        }
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw PgRunbookException.invalid("invalid port '" + text + "' " + from + ": a port is a number from 1 to 65535");
    }

    private String defaultUser() {
        String user = env.get("USER");
        return user != null && !user.isEmpty() ? user : System.getProperty("user.name");
    }

    private Set<String> secrets() {
        Set<String> secrets = new LinkedHashSet<>();
        addIfPresent(secrets, given.keyword("password"));
        addIfPresent(secrets, serviceProps.getProperty("password"));
        addIfPresent(secrets, env.get("PGPASSWORD"));
        return secrets;
    }

    private static void addIfPresent(Set<String> set, String value) {
        if (value != null && !value.isEmpty()) {
            set.add(value);
        }
    }
}
