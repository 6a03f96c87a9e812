package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.testsupport.TestPostgres;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hundred dead targets cost about one connect timeout, not one per batch of connections: half
 * refuse (closed ports), half hang (a listener whose accept queue is full and that never accepts,
 * so the connect waits until connect_timeout), beside one live server that is still checked.
 */
@ExtendWith(TestPostgres.class)
class UnreachableTargetsTest {
    static final int CONNECT_TIMEOUT_SECONDS = 3;

    @TempDir
    Path dir;

    @Test
    void twoHundredDeadTargetsCostOneConnectTimeout() throws Exception {
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket hanging = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // Fill the one-slot accept queue so that later SYNs are dropped and connects hang.
            for (int i = 0; i < 3; i++) {
                Socket s = new Socket();
                try {
                    s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), hanging.getLocalPort()), 200);
                } catch (java.io.IOException full) {
                    // the queue is full
                }
                fillers.add(s);
            }
            StringBuilder targets = new StringBuilder("targets:\n  live: \"" + TestPostgres.shared().url() + "\"\n");
            List<String> names = new ArrayList<>(List.of("live"));
            for (int i = 0; i < 100; i++) {
                int port;
                try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    port = s.getLocalPort(); // closed again: nothing listens there, connects are refused
                }
                targets.append("  refusing").append(i).append(": \"postgresql://postgres@127.0.0.1:").append(port)
                        .append("/postgres?connect_timeout=").append(CONNECT_TIMEOUT_SECONDS).append("\"\n");
                names.add("refusing" + i);
            }
            for (int i = 0; i < 100; i++) {
                targets.append("  hanging").append(i).append(": \"postgresql://postgres@127.0.0.1:").append(hanging.getLocalPort())
                        .append("/postgres?connect_timeout=").append(CONNECT_TIMEOUT_SECONDS).append("\"\n");
                names.add("hanging" + i);
            }
            Path runbook = Files.writeString(dir.resolve("many.yaml"), "name: many\n" + targets + """
                    steps:
                      - id: probe
                        sql: SELECT 1 AS one
                        targets: [%s]
                        parallel: 4
                    """.formatted(String.join(", ", names)));
            long began = System.nanoTime();
            CliRun r = CliRun.run("run", runbook.toString(), "--no-color");
            double seconds = (System.nanoTime() - began) / 1e9;
            assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
            assertThat(r.out).contains("201 targets: 1 passed, 200 errored");
            // Eight at a time this took 2 x 13 connect timeouts; all at once it is one, plus start-up on a busy machine.
            assertThat(seconds).as("seconds for 200 dead targets").isLessThan(CONNECT_TIMEOUT_SECONDS * 4.0);
        } finally {
            for (Socket s : fillers) {
                s.close();
            }
        }
    }
}
