package io.pgrunbook.cli;

/** Entry point: the only place that calls System.exit. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(Cli.create(AppEnvironment.system(), args).execute(args));
    }
}
