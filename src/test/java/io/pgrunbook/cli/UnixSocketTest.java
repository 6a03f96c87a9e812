package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.db.Sandbox;
import io.pgrunbook.db.SandboxOptions;
import io.pgrunbook.testsupport.TestPostgres;
import java.io.File;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections over the sandbox's Unix socket, written every way libpq takes them, for pgrunbook's
 * own connections and for the child tools it runs (pg_dump); peer authentication as the OS user
 * postgres, the way a DBA runs {@code sudo -u postgres pgrunbook ...} on the database host.
 */
@ExtendWith(TestPostgres.class)
class UnixSocketTest {
    @TempDir
    Path dir;

    static Sandbox server() {
        return TestPostgres.shared().sandbox();
    }

    static String socketDir() {
        return server().socketDirectory().toString();
    }

    @Test
    void hostIsASocketDirectoryInEveryFormLibpqAccepts() {
        int port = server().port();
        String encoded = URLEncoder.encode(socketDir(), StandardCharsets.UTF_8);
        for (String db : List.of(
                "host=" + socketDir() + " port=" + port + " user=postgres dbname=postgres",
                "postgresql:///postgres?host=" + socketDir() + "&port=" + port + "&user=postgres",
                "postgresql://postgres@" + encoded + ":" + port + "/postgres",
                server().socketUrl("postgres"))) {
            CliRun r = CliRun.run("run", "runbooks/health.yaml", "--db", db, "--no-color");
            assertThat(r.exitCode).as(db + "\n" + r).isZero();
            assertThat(r.out).as(db).contains("postgresql://postgres@" + encoded + ":" + port + "/postgres");
        }
    }

    @Test
    void pghostNamesTheSocketDirectory() {
        CliRun r = CliRun.withEnv(Map.of("PGHOST", socketDir(), "PGPORT", String.valueOf(server().port()), "PGUSER", "postgres"),
                "run", "runbooks/health.yaml", "--no-color");
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out).contains("%2F");
    }

    @Test
    void pgDumpIsGivenTheSocketDirectoryToo() {
        CliRun r = CliRun.withEnv(Map.of("PGHOST", socketDir(), "PGPORT", String.valueOf(server().port()), "PGUSER", "postgres"),
                "backup", "--dir", dir.resolve("backups").toString(), "--no-color");
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out).contains("backup ");
    }

    @Test
    void aDetachedSandboxIsReachableOverTcpAndItsSocketAndStatusShowsBoth() {
        Map<String, String> env = Map.of("PGRUNBOOK_STATE_DIR", dir.resolve("state").toString());
        CliRun start = CliRun.withEnv(env, "sandbox", "start");
        try {
            assertThat(start.exitCode).as(start.toString()).isZero();
            CliRun status = CliRun.withEnv(env, "sandbox", "status");
            String socketUrl = status.out.lines().filter(l -> l.startsWith("socket")).map(l -> l.substring("socket".length()).strip())
                    .findFirst().orElseThrow(() -> new AssertionError("no socket line in\n" + status));
            assertThat(socketUrl).startsWith("postgresql://postgres@%2F");
            for (String url : List.of(start.out.strip(), socketUrl)) {
                CliRun run = CliRun.withEnv(env, "run", "runbooks/health.yaml", "--db", url, "--no-color");
                assertThat(run.exitCode).as(url + "\n" + run).isZero();
            }
        } finally {
            CliRun.withEnv(env, "sandbox", "stop");
        }
    }

    @Test
    void aMissingSocketIsNamedAsLibpqWould() {
        CliRun r = CliRun.run("run", "runbooks/health.yaml", "--db", "host=" + dir.resolve("nothing") + " port=5999 user=postgres", "--no-color");
        assertThat(r.exitCode).as(r.toString()).isEqualTo(3);
        assertThat(r.all()).contains("no server socket " + dir.resolve("nothing").resolve(".s.PGSQL.5999"), "is the server running locally");
    }

    @Test
    void aSocketAmongTcpHostsIsRefusedWithTheFix() {
        CliRun r = CliRun.run("run", "runbooks/health.yaml", "--db", "host=" + socketDir() + ",127.0.0.1 user=postgres", "--no-color");
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.all()).contains("Unix-socket directory among several hosts", "give the socket directory alone");
    }

    @Test
    void peerAuthenticationAsThePostgresOsUser() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/sbin/runuser")),
                "peer authentication as another OS user needs root and runuser (verified by hand otherwise: docs/poolers.md)");
        Path hba = dir.resolve("pg_hba.conf");
        Files.writeString(hba, "local all all peer\nhost all all 127.0.0.1/32 trust\n");
        dir.toFile().setExecutable(true, false);
        hba.toFile().setReadable(true, false);
        try (Sandbox peer = Sandbox.start(SandboxOptions.defaults().withoutPgStatStatements().withSetting("hba_file", hba.toString()))) {
            String socket = "host=" + peer.socketDirectory() + " port=" + peer.port() + " user=postgres dbname=postgres";
            // root is not the OS user postgres: the server refuses, and pgrunbook says so in one line.
            CliRun asRoot = CliRun.run("run", "runbooks/health.yaml", "--db", socket, "--no-color");
            assertThat(asRoot.exitCode).as(asRoot.toString()).isEqualTo(3);
            assertThat(asRoot.all()).contains("Peer authentication failed", "sudo -u postgres pgrunbook");

            // As postgres, with no connection string at all but PGHOST, as `sudo -u postgres pgrunbook run` would.
            Path classpath = readableClasspath(dir.resolve("cp"));
            Path runbook = Files.copy(Path.of("runbooks/health.yaml"), dir.resolve("health.yaml"));
            runbook.toFile().setReadable(true, false);
            List<String> command = new ArrayList<>(List.of("/usr/sbin/runuser", "-u", "postgres", "--", "env",
                    "PGHOST=" + peer.socketDirectory(), "PGPORT=" + peer.port(), "PGRUNBOOK_STATE_DIR=" + dir.resolve("state"),
                    "NO_COLOR=1", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", classpath + "/*:" + classpath + "/classes", Main.class.getName(),
                    "run", runbook.toString()));
            Files.createDirectories(dir.resolve("state")).toFile().setWritable(true, false);
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("postgresql://postgres@" + URLEncoder.encode(peer.socketDirectory().toString(), StandardCharsets.UTF_8));
        }
    }

    /** The test JVM's class path copied where the postgres OS user can read it (root's ~/.m2 is private). */
    static Path readableClasspath(Path to) throws IOException {
        Files.createDirectories(to);
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path from = Path.of(entry);
            if (Files.isDirectory(from)) {
                if (from.endsWith("classes")) {
                    copyTree(from, to.resolve("classes"));
                }
            } else if (Files.isRegularFile(from)) {
                Files.copy(from, to.resolve(from.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        try (Stream<Path> all = Files.walk(to.getParent())) {
            all.forEach(p -> {
                p.toFile().setReadable(true, false);
                if (Files.isDirectory(p)) {
                    p.toFile().setExecutable(true, false);
                }
            });
        }
        return to;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> tree = Files.walk(from)) {
            for (Path p : (Iterable<Path>) tree::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
