package io.pgrunbook.db;

import io.pgrunbook.error.PgRunbookException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Unix-domain sockets as libpq uses them: a host that starts with '/' is a directory holding the
 * server's socket {@code .s.PGSQL.PORT}. pgjdbc speaks only through a {@code javax.net.SocketFactory},
 * which the JDK's own AF_UNIX channels are not, so the socket comes from junixsocket's factory,
 * given the socket file as its argument.
 */
public final class UnixSockets {
    /** junixsocket's factory that takes the socket path from pgjdbc's socketFactoryArg. */
    static final String FACTORY = "org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg";
    /** pgjdbc wants a host name in the URL even when the socket factory ignores it. */
    static final String URL_HOST = "localhost";
    /**
     * libpq's compiled-in default directory: Debian and Ubuntu build with /var/run/postgresql,
     * upstream PostgreSQL with /tmp.
     */
    static final List<Path> DEFAULT_DIRECTORIES = List.of(Path.of("/var/run/postgresql"), Path.of("/tmp"));

    private UnixSockets() {}

    public static boolean isSocketDirectory(String host) {
        return host != null && host.startsWith("/");
    }

    /** The socket file the server listens on in this directory for this port. */
    public static Path socketFile(String directory, int port) {
        return Path.of(directory, ".s.PGSQL." + port);
    }

    /** The directory libpq uses when no host is given: the first of its compiled defaults that exists. */
    static String defaultDirectory() {
        return DEFAULT_DIRECTORIES.stream().filter(Files::isDirectory).findFirst()
                .orElse(DEFAULT_DIRECTORIES.get(DEFAULT_DIRECTORIES.size() - 1)).toString();
    }

    /**
     * The pgjdbc settings that route a connection to the socket; SSL is off, as libpq never uses it
     * over a Unix socket.
     */
    static Map<String, String> pgjdbcSettings(String directory, int port) {
        return Map.of("socketFactory", FACTORY,
                "socketFactoryArg", socketFile(directory, port).toString(),
                "sslmode", "disable");
    }

    /** pgjdbc has one socket factory per connection: a host list may not mix sockets with TCP hosts. */
    static void checkHostList(List<String> hosts, String from) {
        long sockets = hosts.stream().filter(UnixSockets::isSocketDirectory).count();
        if (sockets > 0 && hosts.size() > 1) {
            throw PgRunbookException.invalid("host list '" + String.join(",", hosts) + "' " + from
                    + " has a Unix-socket directory among several hosts; pgrunbook reaches a socket only as the"
                    + " one host: give the socket directory alone (host=/var/run/postgresql) or TCP hosts only");
        }
    }
}
