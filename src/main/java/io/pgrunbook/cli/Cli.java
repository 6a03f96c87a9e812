package io.pgrunbook.cli;

import io.pgrunbook.error.ExitCode;
import io.pgrunbook.error.PgRunbookException;
import java.lang.reflect.Constructor;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

/** Builds the command line the same way for {@link Main} and for tests. */
public final class Cli {
    private Cli() {}

    public static CommandLine create(AppEnvironment app) {
        CommandLine cmd = new CommandLine(new TopCommand(), new Factory(app));
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
