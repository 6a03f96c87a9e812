package io.pgrunbook.db;

import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.error.Suggest;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The libpq connection keywords pgrunbook understands, and help for the ones it does not. */
final class LibpqKeywords {
    static final Set<String> SUPPORTED = Set.of(
            "host", "port", "dbname", "user", "password", "service",
            "sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "options",
            "target_session_attrs", "application_name", "fallback_application_name");

    /** Real libpq keywords that pgjdbc has no equivalent for: rejecting them beats silently ignoring a DBA's intent. */
    private static final Set<String> KNOWN_UNSUPPORTED = Set.of(
            "hostaddr", "passfile", "require_auth", "channel_binding", "client_encoding",
            "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
            "tcp_user_timeout", "replication", "gssencmode", "requiressl", "sslnegotiation",
            "sslcompression", "sslpassword", "sslcertmode", "sslcrl", "sslcrldir", "sslsni",
            "requirepeer", "ssl_min_protocol_version", "ssl_max_protocol_version", "krbsrvname",
            "gsslib", "gssdelegation", "load_balance_hosts");

    /** Names people reach for from other tools. */
    private static final Map<String, String> ALIASES = Map.of(
            "database", "dbname", "db", "dbname", "username", "user", "hostname", "host",
            "server", "host", "sslrootcertificate", "sslrootcert", "timeout", "connect_timeout");

    static final Set<String> SSL_MODES =
            Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    private LibpqKeywords() {
    }

    static void requireSupported(String keyword) {
        if (SUPPORTED.contains(keyword)) {
            return;
        }
        if (KNOWN_UNSUPPORTED.contains(keyword)) {
            throw PgRunbookException.invalid("connection keyword '" + keyword
                    + "' is a libpq setting that pgrunbook cannot apply (pgjdbc has no equivalent); remove it."
                    + " Supported: " + String.join(", ", new java.util.TreeSet<>(SUPPORTED)));
        }
        String hint = suggestion(keyword).map(s -> ": did you mean '" + s + "'?").orElse(
                "; supported: " + String.join(", ", new java.util.TreeSet<>(SUPPORTED)));
        throw PgRunbookException.invalid("unknown connection keyword '" + keyword + "'" + hint);
    }

    static Optional<String> suggestion(String keyword) {
        String lower = keyword.toLowerCase(Locale.ROOT);
        if (SUPPORTED.contains(lower)) {
            return Optional.of(lower);
        }
        if (ALIASES.containsKey(lower)) {
            return Optional.of(ALIASES.get(lower));
        }
        return Suggest.nearest(lower, new java.util.TreeSet<>(SUPPORTED));
    }

}
