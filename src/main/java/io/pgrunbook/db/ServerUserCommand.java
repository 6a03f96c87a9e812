package io.pgrunbook.db;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A program run as the OS user that sandbox servers run as (postgres when we are root, else
 * ourselves): tools that must read or write a server's files, such as pgBackRest, and the
 * ownership of directories those tools work in.
 */
public final class ServerUserCommand {
    private ServerUserCommand() {}

    /** What the program did: its exit code, its output (stdout and stderr) and how it was called. */
    public record Outcome(int exitCode, String output, String description) {
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    /** Runs the command as the server user with a time limit (exit 3 when it cannot start or overruns). */
    public static Outcome run(List<String> command, Path workDir, Duration timeout) {
        ExternalCommand.Result r = ExternalCommand.run(ServerUser.wrap(command), workDir, timeout);
        return new Outcome(r.exitCode(), r.output(), r.describe());
    }

    /** Runs the command as ourselves (no change of user), with the same time limit and output capture. */
    public static Outcome runAsCurrentUser(List<String> command, Path workDir, Duration timeout) {
        ExternalCommand.Result r = ExternalCommand.run(command, workDir, timeout);
        return new Outcome(r.exitCode(), r.output(), r.describe());
    }

    /** Gives the tree to the server user when we are root (so the server can read and write it); else nothing. */
    public static void takeOwnership(Path directory) {
        ServerUser.takeOwnership(directory);
    }

    /** The last lines of a text under a heading, as error messages quote a tool's output. */
    public static String tail(String heading, String text) {
        return ExternalCommand.tailSection(heading, text);
    }
}
