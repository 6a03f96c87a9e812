package io.pgrunbook.cli;

import io.pgrunbook.error.ExitCode;
import io.pgrunbook.error.PgRunbookException;
import java.lang.reflect.Constructor;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

/** Builds the command line the same way for {@link Main} and for tests. */
public final class Cli {
    private Cli() {}

    /** The whole command tree (help, completion scripts, man pages and tests see every command). */
    public static CommandLine create(AppEnvironment app) {
        return create(app, null);
    }

    /**
     * The command tree for one command line. Building a command's model is reflection over its
     * annotations, and building all of them was most of a start-up; so only the subcommand the line
     * names is built. A line that names none (help, a typo that needs suggestions) gets them all, except
     * one that asks only for the version; so does {@code completion}, whose script lists them all.
     */
    public static CommandLine create(AppEnvironment app, String[] args) {
        Factory factory = new Factory(app);
        CommandLine cmd = new CommandLine(new TopCommand(), factory);
        Class<?> only = args == null ? null : named(args);
        boolean none = args != null && only == null && args.length > 0
                && java.util.Arrays.stream(args).allMatch(a -> a.equals("-V") || a.equals("--version"));
        for (Class<?> c : TopCommand.SUBCOMMANDS) {
            if (!none && (only == null || c == only)) {
                try {
                    cmd.addSubcommand(factory.create(c));
                } catch (Exception e) {
                    throw new IllegalStateException("cannot build command " + c.getSimpleName(), e);
                }
            }
        }
        Ansi ansi = app.colorAllowed() ? Ansi.ON : Ansi.OFF;
        cmd.setColorScheme(CommandLine.Help.defaultColorScheme(ansi));
        cmd.setExecutionExceptionHandler(new ErrorHandler());
        cmd.setExitCodeExceptionMapper(e -> e instanceof PgRunbookException p ? p.exitCode().code() : ExitCode.INTERNAL.code());
        cmd.setParameterExceptionHandler(new UsageErrorHandler());
        cmd.getCommandSpec().exitCodeOnInvalidInput(ExitCode.INVALID.code());
        cmd.getCommandSpec().exitCodeOnExecutionException(ExitCode.INTERNAL.code());
        HelpLayout.apply(cmd);
        return cmd;
    }

    /** The subcommand class the first word that is not an option names, or null. */
    private static Class<?> named(String[] args) {
        for (String a : args) {
            if (a.startsWith("-")) {
                continue;
            }
            // The class named after the word (RunCommand for run, ValidateShardsCommand for validate-shards)
            // is asked first: reading a class's annotations is a cost of start-up, and only its are needed.
            for (Class<?> c : TopCommand.SUBCOMMANDS) {
                if (conventionalName(c).equals(a) && commandName(c).equals(a)) {
                    return c == CompletionCommand.class ? null : c;
                }
            }
            for (Class<?> c : TopCommand.SUBCOMMANDS) {
                if (commandName(c).equals(a)) {
                    return c == CompletionCommand.class ? null : c;
                }
            }
            return null;
        }
        return null;
    }

    private static String commandName(Class<?> c) {
        return c.getAnnotation(picocli.CommandLine.Command.class).name();
    }

    /** "validate-shards" for ValidateShardsCommand: only where to look first, the annotation decides. */
    private static String conventionalName(Class<?> c) {
        String simple = c.getSimpleName();
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < simple.length() - (simple.endsWith("Command") ? "Command".length() : 0); i++) {
            char ch = simple.charAt(i);
            if (Character.isUpperCase(ch) && i > 0) {
                name.append('-');
            }
            name.append(Character.toLowerCase(ch));
        }
        return name.toString();
    }

    /** Gives commands that want it the process environment; everything else is built as picocli would. */
    private record Factory(AppEnvironment app) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            for (Constructor<?> c : cls.getDeclaredConstructors()) {
                if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == AppEnvironment.class) {
                    c.setAccessible(true);
                    return cls.cast(c.newInstance(app));
                }
            }
            return CommandLine.defaultFactory().create(cls);
        }
    }
}
