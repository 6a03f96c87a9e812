package io.pgrunbook.cli;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;

/** Runs the real command line in-process, as Main would, capturing output and the exit code. */
final class CliRun {
    final int exitCode;
    final String out;
    final String err;

    private CliRun(int exitCode, String out, String err) {
        this.exitCode = exitCode;
        this.out = out;
        this.err = err;
    }

    static CliRun run(String... args) {
        return run(Map.of(), false, "", args);
    }

    static CliRun withEnv(Map<String, String> env, String... args) {
        return run(env, false, "", args);
    }

    static CliRun run(Map<String, String> env, boolean interactive, String input, String... args) {
        Map<String, String> e = new HashMap<>(env);
        e.putIfAbsent("PGRUNBOOK_STATE_DIR", System.getProperty("java.io.tmpdir") + "/pgrunbook-test-state");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Cli.create(new AppEnvironment(e, interactive, new BufferedReader(new StringReader(input))));
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    String all() {
        return out + "\n" + err;
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
}
