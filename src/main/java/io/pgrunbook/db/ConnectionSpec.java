package io.pgrunbook.db;

import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.error.Redactor;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * Where and as whom to connect, given the way DBAs give it to psql: a {@code postgresql://} URI,
 * a libpq {@code key=value} string, a {@code jdbc:postgresql:} URL, or nothing (all from PG*
 * variables). Precedence follows libpq: the string, then its service, then PG* variables, then
 * defaults. ~/.pgpass is left to pgjdbc, which reads it when no password is set.
 *
 * <p>The password travels only in {@link #properties()}: {@link #jdbcUrl()}, {@link #display()} and
 * {@link #toString()} never contain it.
 */
public final class ConnectionSpec {
    public static final String DEFAULT_APPLICATION_NAME = "pgrunbook";

    private static final Pattern URI_SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://.*", Pattern.DOTALL);

    private final List<String> hosts;
    private final List<Integer> ports;
    private final String database;
    private final String user;
    private final String password;
    private final String service;
    private final Map<String, String> pgjdbcSettings;
    private final Map<String, String> libpqSettings;
    private final Map<String, String> jdbcParams;
    private final String applicationName;
    private final Set<String> secrets;

    ConnectionSpec(List<String> hosts, List<Integer> ports, String database, String user, String password,
                   String service, Map<String, String> pgjdbcSettings, Map<String, String> libpqSettings,
                   Map<String, String> jdbcParams, String applicationName, Set<String> secrets) {
        this.hosts = List.copyOf(hosts);
        this.ports = List.copyOf(ports);
        this.database = database;
        this.user = user;
        this.password = password;
        this.service = service;
        this.pgjdbcSettings = Collections.unmodifiableMap(new LinkedHashMap<>(pgjdbcSettings));
        this.libpqSettings = Collections.unmodifiableMap(new LinkedHashMap<>(libpqSettings));
        this.jdbcParams = Collections.unmodifiableMap(new LinkedHashMap<>(jdbcParams));
        this.applicationName = applicationName == null ? DEFAULT_APPLICATION_NAME : applicationName;
        this.secrets = Set.copyOf(secrets);
    }

    /**
     * Reads a connection string; {@code env} stands for the process environment (PGHOST, PGUSER, USER, ...).
     *
     * @throws PgRunbookException (exit code INVALID) naming what is wrong; its message never holds a password
     */
    public static ConnectionSpec parse(String text, Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        String input = text == null ? "" : text.strip();
        Redactor redactor = new Redactor();
        redactor.register(env.get("PGPASSWORD"));
        try {
            GivenConninfo given = read(input);
            redactor.register(given.keyword("password"));
            return ConninfoResolver.resolve(given, env);
        } catch (PgRunbookException e) {
            throw new PgRunbookException(e.exitCode(), redactor.redact(e.getMessage()));
        }
    }

    private static GivenConninfo read(String input) {
        if (input.isEmpty()) {
            return GivenConninfo.empty();
        }
        if (input.startsWith(JdbcUrlParser.PREFIX)) {
            return JdbcUrlParser.parse(input);
        }
        var scheme = URI_SCHEME.matcher(input);
        if (scheme.matches()) {
            String name = scheme.group(1);
            if (name.equals("postgresql") || name.equals("postgres")) {
                return LibpqUriParser.parse(input);
            }
            throw unknownForm("unknown scheme '" + name + "://'");
        }
        if (input.toLowerCase(Locale.ROOT).startsWith("jdbc:")) {
            throw unknownForm("unsupported JDBC URL '" + input.split("[/?]", 2)[0] + "'");
        }
        if (input.indexOf('=') >= 0) {
            return LibpqKeyValueParser.parse(input);
        }
        // Not echoed: text that is neither a URI nor key=value may be a password pasted in the wrong place.
        throw unknownForm("cannot read the connection string (no scheme:// and no key=value)");
    }

    private static PgRunbookException unknownForm(String what) {
        return PgRunbookException.invalid(what + ": give postgresql://user@host:port/dbname,"
                + " key=value pairs (host=db1 dbname=app), or jdbc:postgresql://host:port/dbname"
                + " (for a database name alone write dbname=NAME)");
    }

    /** A copy that reports itself to the server as {@code name} (pg_stat_activity.application_name). */
    public ConnectionSpec withApplicationName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("application name must not be blank");
        }
        return new ConnectionSpec(hosts, ports, database, user, password, service, pgjdbcSettings,
                libpqSettings, jdbcParams, name, secrets);
    }

    /**
     * A copy with one more pgjdbc property (e.g. prepareThreshold=0 behind a transaction pooler); it
     * reaches every JDBC connection made from this spec, never a child tool's libpq settings.
     */
    public ConnectionSpec withPgjdbcSetting(String name, String value) {
        Map<String, String> settings = new LinkedHashMap<>(pgjdbcSettings);
        settings.put(name, value);
        return new ConnectionSpec(hosts, ports, database, user, password, service, settings,
                libpqSettings, jdbcParams, applicationName, secrets);
    }

    /** A copy that connects to another database of the same server (or pooler). */
    public ConnectionSpec withDatabase(String name) {
        return new ConnectionSpec(hosts, ports, name, user, password, service, pgjdbcSettings,
                libpqSettings, jdbcParams, applicationName, secrets);
    }

    /** The directory of the server's Unix socket when this spec connects through one (host=/dir), as libpq does. */
    public Optional<String> socketDirectory() {
        return UnixSockets.isSocketDirectory(hosts.get(0)) ? Optional.of(hosts.get(0)) : Optional.empty();
    }

    /** Host(s), port(s), database and service; never the user or password. */
    public String jdbcUrl() {
        StringBuilder url = new StringBuilder("jdbc:postgresql://").append(hostPorts())
                .append('/').append(URLEncoder.encode(database, StandardCharsets.UTF_8));
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        if (service != null) {
            query.add("service=" + URLEncoder.encode(service, StandardCharsets.UTF_8));
        }
        jdbcParams.forEach((k, v) -> query.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return url.append(query).toString();
    }

    /** user, password (if any), ApplicationName and the settings, as pgjdbc properties; a fresh copy each call. */
    public Properties properties() {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("ApplicationName", applicationName);
        pgjdbcSettings.forEach(props::setProperty);
        return props;
    }

    /** A libpq URI for reports and errors, e.g. {@code postgresql://ops@db1:5433/app?sslmode=require}; never a password. */
    public String display() {
        StringBuilder out = new StringBuilder("postgresql://").append(percentEncode(user)).append('@')
                .append(hostList(true)).append('/').append(percentEncode(database));
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        for (String key : List.of("sslmode", "target_session_attrs")) {
            if (libpqSettings.containsKey(key)) {
                query.add(key + "=" + percentEncode(libpqSettings.get(key)));
            }
        }
        if (service != null) {
            query.add("service=" + percentEncode(service));
        }
        return out.append(query).toString();
    }

    /** The libpq settings given (sslmode, sslrootcert, ...), under libpq's names, for child tools. */
    Map<String, String> libpq() {
        return libpqSettings;
    }

    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    public boolean hasPassword() {
        return password != null;
    }

    public String user() {
        return user;
    }

    public String database() {
        return database;
    }

    public List<String> hosts() {
        return hosts;
    }

    public List<Integer> ports() {
        return ports;
    }

    public Optional<String> service() {
        return Optional.ofNullable(service);
    }

    public String applicationName() {
        return applicationName;
    }

    /** Every password this spec knows of (string, service, PGPASSWORD), to register with a {@link Redactor}. */
    public Set<String> secrets() {
        return secrets;
    }

    @Override
    public String toString() {
        return display();
    }

    private String hostPorts() {
        if (socketDirectory().isPresent()) {
            // The socket factory ignores the host; pgjdbc still wants one in the URL.
            return UnixSockets.URL_HOST + ":" + ports.get(0);
        }
        return hostList(false);
    }

    /** libpq's URI form: a socket directory percent-encoded (postgresql://%2Fvar%2Frun%2Fpostgresql:5432/db). */
    private String hostList(boolean encodeSockets) {
        StringJoiner joined = new StringJoiner(",");
        for (int i = 0; i < hosts.size(); i++) {
            String host = hosts.get(i);
            if (encodeSockets && UnixSockets.isSocketDirectory(host)) {
                joined.add(percentEncode(host) + ":" + ports.get(i));
                continue;
            }
            joined.add((host.contains(":") ? "[" + host + "]" : host) + ":" + ports.get(i));
        }
        return joined.toString();
    }

    /** libpq decodes %XX but not '+', so spaces must become %20. */
    private static String percentEncode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
