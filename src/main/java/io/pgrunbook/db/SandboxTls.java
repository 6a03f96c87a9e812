package io.pgrunbook.db;

import io.pgrunbook.error.PgRunbookException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * A sandbox that serves TLS as a Debian-installed server does by default: {@code ssl = on} with a
 * self-signed certificate (Debian's "snakeoil"), so that a client's default sslmode=prefer connects
 * over TLS, and the cost of a TLS handshake shows as it does against production. The certificate
 * and key are made by openssl in the data directory, where the server looks for them by default
 * (server.crt, server.key), as the server's OS user; the key is readable by that user only, as the
 * server requires.
 */
final class SandboxTls {
    static final String SETTING = "ssl";
    private static final Duration OPENSSL_TIMEOUT = Duration.ofSeconds(60);

    private SandboxTls() {}

    /** Writes server.crt and server.key into the (initdb'd, not yet started) data directory. */
    static void certify(Path dataDirectory) {
        String openssl = openssl(System.getenv("PATH"));
        ExternalCommand.runOrFail(ServerUser.wrap(List.of(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", "server.key", "-out", "server.crt", "-days", "2", "-subj", "/CN=127.0.0.1")),
                dataDirectory, OPENSSL_TIMEOUT, "make the sandbox's TLS certificate", null);
        try {
            Files.setPosixFilePermissions(dataDirectory.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw PgRunbookException.cannotRun("Could not make the sandbox's TLS key " + dataDirectory.resolve("server.key")
                    + " private to its owner (the server refuses it otherwise): " + e.getMessage(), e);
        }
    }

    /** The openssl program on {@code path} (a PATH value), or a CANNOT_RUN failure that says how to install it. */
    static String openssl(String path) {
        for (String dir : PgBinaries.splitPath(path)) {
            Path candidate = Path.of(dir, "openssl");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw PgRunbookException.cannotRun("a sandbox with TLS needs the openssl program to make its certificate, and none is on "
                + "PATH. Install it (apt-get install openssl, dnf install openssl), or start the sandbox without TLS.");
    }
}
