package io.pgrunbook.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Runbook variables from the command line. */
public final class VarOptions {
    @Option(names = "--set", paramLabel = "NAME=VALUE",
            description = "Set a runbook variable (declared under vars:); lists are comma-separated; repeatable.")
    Map<String, String> sets = new LinkedHashMap<>();
}
