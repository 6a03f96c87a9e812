package io.pgrunbook.cli;

import io.pgrunbook.error.ExitCode;
import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.error.Redactor;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns an exception into one clear message and its exit code. A user's mistake or an unreachable
 * server is never shown as a stack trace; an internal error shows one only with -v.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        boolean verbose = parseResult.hasMatchedOption("-v") || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("-v"));
        ExitCode code;
        String message;
        if (ex instanceof PgRunbookException p) {
            code = p.exitCode();
            message = p.getMessage();
        } else {
            code = ExitCode.INTERNAL;
            message = "internal error: " + ex + (verbose ? "" : " (run again with -v for the stack trace, and please report it)");
        }
        err.println(cmd.getColorScheme().errorText("pgrunbook: " + Redactor.redactPatterns(message)));
        if (verbose) {
            StringWriter trace = new StringWriter();
            ex.printStackTrace(new PrintWriter(trace));
            err.println(Redactor.redactPatterns(trace.toString()));
        }
        err.flush();
        return code.code();
    }
}
