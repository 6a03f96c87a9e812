package io.pgrunbook.db;

import java.time.Duration;
import java.util.List;

/** A sandbox server that dies without warning (pg_ctl stop -m immediate: no shutdown checkpoint) and comes back. */
public final class SandboxCrash {
    private SandboxCrash() {}

    public static void crash(Sandbox sandbox) {
        ExternalCommand.runOrFail(ServerUser.wrap(List.of(sandbox.binaries().pgCtl().toString(), "stop", "-D",
                sandbox.dataDirectory().toString(), "-m", "immediate", "-w", "-t", "30")),
                sandbox.directory(), Duration.ofSeconds(45), "crash the sandbox server", null);
    }

    /** Starts the server again on the same port; it recovers from its WAL as after a crash. */
    public static void restart(Sandbox sandbox) {
        String options = String.join(" ", List.of("-p", String.valueOf(sandbox.port()), "-c", "listen_addresses=127.0.0.1",
                "-c", "unix_socket_directories=" + ExternalCommand.shellQuote(sandbox.directory().toString())));
        ExternalCommand.runOrFail(ServerUser.wrap(List.of(sandbox.binaries().pgCtl().toString(), "-D",
                sandbox.dataDirectory().toString(), "-l", sandbox.directory().resolve("server.log").toString(),
                "-w", "-t", "60", "-o", options, "start")),
                sandbox.directory(), Duration.ofSeconds(75), "restart the sandbox server", sandbox.directory().resolve("server.log"));
    }
}
