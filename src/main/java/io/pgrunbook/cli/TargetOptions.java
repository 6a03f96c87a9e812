package io.pgrunbook.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Which database(s) a run talks to, overriding what the runbook says. */
public final class TargetOptions {
    @Option(names = "--db", paramLabel = "CONNECTION",
            description = "Connection for the runbook's default (first) target: postgres:// URI, 'host=... dbname=...' "
                    + "or jdbc:postgresql:// URL. Passwords come from ~/.pgpass, PGPASSWORD or a service file.")
    String db;

    @Option(names = "--target", paramLabel = "NAME=CONNECTION",
            description = "Connection for a named target; repeatable.")
    Map<String, String> targets = new LinkedHashMap<>();

    @Option(names = "--sandbox",
            description = "Run against a fresh throwaway local PostgreSQL (every target points at it), removed afterwards.")
    boolean sandbox;

    @Option(names = "--sandbox-init", paramLabel = "SQL_FILE",
            description = "SQL file loaded into the sandbox with psql before the run (sample schema, fixtures); repeatable.")
    List<Path> sandboxInit = new ArrayList<>();

    @Option(names = "--sandbox-tls",
            description = "The sandbox serves TLS with a self-signed certificate, as a Debian-installed server does by default "
                    + "(needs openssl); connections then use TLS as they would against production.")
    boolean sandboxTls;
}
