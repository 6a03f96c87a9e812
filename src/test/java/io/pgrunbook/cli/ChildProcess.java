package io.pgrunbook.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** pgrunbook's real main in a child JVM, for what only a real process shows: signals, stderr logging, exit status. */
final class ChildProcess {
    final Process process;
    final Path stdout;
    final Path stderr;

    private ChildProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * A test suite started in the background by a non-interactive shell inherits SIGINT as ignored,
     * and a JVM leaves an ignored SIGINT ignored: the child would not see the Ctrl-C the tests send.
     * coreutils' env (8.31+) puts the default dispositions back, as a terminal session has them; the
     * same pid then runs java (env execs it).
     */
    private static final List<String> RESET_SIGNALS = resetSignals();

    private static List<String> resetSignals() {
        List<String> prefix = List.of("/usr/bin/env", "--default-signal=INT,QUIT,HUP,TERM");
        try {
            List<String> probe = new ArrayList<>(prefix);
            probe.add("true");
            Process p = new ProcessBuilder(probe).start();
            return p.waitFor() == 0 ? prefix : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    static ChildProcess start(Path dir, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(RESET_SIGNALS);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("NO_COLOR", "1");
        pb.environment().putAll(env);
        return new ChildProcess(pb.start(), out, err);
    }

    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("pgrunbook did not finish within " + seconds + " s");
        }
        return process.exitValue();
    }

    String out() throws IOException {
        return Files.readString(stdout);
    }

    String err() throws IOException {
        return Files.readString(stderr);
    }
}
