package io.pgrunbook.cli;

import io.pgrunbook.error.Suggest;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** A mistake on the command line: one clear message, a suggestion, and where to find help (exit 2). */
final class UsageErrorHandler implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(cmd.getColorScheme().errorText("error: " + ex.getMessage()));
        Optional<String> ours = ex instanceof UnmatchedArgumentException u ? suggestion(u) : Optional.empty();
        if (ours.isPresent()) {
            err.println("Did you mean: " + ours.get() + "?");
        } else {
            UnmatchedArgumentException.printSuggestions(ex, err);
        }
        err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * picocli's own suggestions compare letter pairs, so a swap ('rnu' for 'run') finds nothing; an
     * edit distance that counts a swap as one edit does.
     */
    static Optional<String> suggestion(UnmatchedArgumentException ex) {
        List<String> unmatched = ex.getUnmatched();
        if (unmatched.isEmpty()) {
            return Optional.empty();
        }
        String typed = unmatched.get(0);
        CommandLine cmd = ex.getCommandLine();
        if (typed.startsWith("-")) {
            String name = typed.contains("=") ? typed.substring(0, typed.indexOf('=')) : typed;
            List<String> names = new ArrayList<>();
            for (OptionSpec option : cmd.getCommandSpec().options()) {
                names.addAll(List.of(option.names()));
            }
            return Suggest.nearest(name, names.stream().filter(n -> n.startsWith("--")).toList())
                    .map(n -> cmd.getCommandSpec().qualifiedName() + " " + n);
        }
        if (ex.getCommandLine().getSubcommands().isEmpty()) {
            return Optional.empty();
        }
        return Suggest.nearest(typed, cmd.getSubcommands().keySet()).map(n -> cmd.getCommandSpec().qualifiedName() + " " + n);
    }
}
