package io.pgrunbook.cli;

import io.pgrunbook.db.Sandbox;
import io.pgrunbook.db.SandboxOptions;
import io.pgrunbook.db.SandboxRegistry;
import io.pgrunbook.db.SandboxStatus;
import io.pgrunbook.error.ExitCode;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "sandbox",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        header = "Start, stop or inspect a throwaway local PostgreSQL.",
        description = {
            "A sandbox is a fresh cluster (initdb + pg_ctl, found on PATH or under /usr/lib/postgresql/*/bin) in a "
                    + "temporary directory, listening on a free port on 127.0.0.1 with trust authentication. When run "
                    + "as root the server runs as the postgres OS user. For a one-off run use 'run --sandbox' instead: "
                    + "it starts a sandbox and removes it afterwards.",
            "",
            "Example:  URL=$(pgrunbook sandbox start) && pgrunbook run runbooks/health.yaml --db \"$URL\"; pgrunbook sandbox stop",
            ""})
final class SandboxCommand implements Runnable {
    private final AppEnvironment app;

    @Spec
    CommandSpec spec;

    SandboxCommand(AppEnvironment app) {
        this.app = app;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a sandbox command: start, stop or status");
    }

    static SandboxRegistry registry(AppEnvironment app) {
        return new SandboxRegistry(SandboxRegistry.stateDirectory(app.env(), System.getProperty("user.home")));
    }

    @Command(name = "start", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            header = "Start a sandbox that keeps running; prints its URL on stdout.")
    int start(@picocli.CommandLine.Option(names = "--archive", arity = "0..1", paramLabel = "DIR", fallbackValue = "",
                    description = "Archive WAL into DIR (default: wal-archive in the state directory) with cp, as the PostgreSQL manual shows.")
            String archive,
            @picocli.CommandLine.Option(names = "--archive-timeout", paramLabel = "DURATION", defaultValue = "60s",
                    description = "With --archive: switch to a new WAL segment at least this often (archive_timeout; default 60s).")
            String archiveTimeout,
            @picocli.CommandLine.Option(names = "--tls",
                    description = "Serve TLS with a self-signed certificate, as a Debian-installed server does by default (needs openssl).")
            boolean tls) {
        SandboxOptions options = SandboxOptions.defaults().withTls(tls);
        java.nio.file.Path archiveDir = null;
        if (archive != null) {
            archiveDir = archive.isEmpty() ? registry(app).stateDirectory().resolve("wal-archive") : java.nio.file.Path.of(archive);
            java.time.Duration timeout = io.pgrunbook.runbook.load.Durations.parse(archiveTimeout).orElseThrow(() -> new ParameterException(
                    spec.commandLine(), "--archive-timeout: '" + archiveTimeout + "' is not a duration such as 30s or 5min"));
            options = io.pgrunbook.db.SandboxArchive.archivingTo(options, archiveDir, timeout);
        }
        Sandbox sandbox = registry(app).startDetached(options);
        if (archiveDir != null) {
            spec.commandLine().getErr().println("pgrunbook: WAL is archived into " + archiveDir.toAbsolutePath());
        }
        spec.commandLine().getErr().println("pgrunbook: sandbox PostgreSQL " + sandbox.serverMajorVersion()
                + (tls ? ", serving TLS," : "") + " running in " + sandbox.directory() + "; stop it with 'pgrunbook sandbox stop'");
        spec.commandLine().getOut().println(sandbox.url());
        return ExitCode.OK.code();
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            header = "Stop the sandbox and delete its directory.")
    int stop() {
        boolean stopped = registry(app).stop();
        spec.commandLine().getErr().println(stopped ? "pgrunbook: sandbox stopped and removed" : "pgrunbook: no sandbox was running");
        return ExitCode.OK.code();
    }

    @Command(name = "status", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            header = "Show the sandbox's URL and whether it runs (exit 0 running, 1 not running).")
    int status() {
        PrintWriter out = spec.commandLine().getOut();
        Optional<SandboxStatus> status = registry(app).status();
        if (status.isEmpty()) {
            out.println("no sandbox (start one with 'pgrunbook sandbox start')");
            return ExitCode.CHECK_FAILED.code();
        }
        SandboxStatus s = status.get();
        out.println((s.running() ? "running" : "not running") + "  " + s.url());
        out.println("socket     " + s.socketUrl());
        out.println("directory  " + s.directory());
        out.println("started    " + s.startedAt());
        out.println("pid        " + s.pid());
        return s.running() ? ExitCode.OK.code() : ExitCode.CHECK_FAILED.code();
    }
}
