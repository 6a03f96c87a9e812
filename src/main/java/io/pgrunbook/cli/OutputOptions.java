package io.pgrunbook.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** How results are shown and where reports are written. */
public final class OutputOptions {
    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text", completionCandidates = Candidates.Formats.class,
            description = "Report format on stdout: text, json, junit, prometheus or nagios (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--report", paramLabel = "FORMAT=PATH", completionCandidates = Candidates.ReportSpecs.class,
            description = "Also write the report to a file, e.g. --report junit=out/junit.xml; repeatable. "
                    + "Files are written atomically, even when the run fails.")
    List<String> reports = new ArrayList<>();

    @Option(names = {"-q", "--quiet"}, description = "Print only failures and errors; nothing when all is well (for cron).")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Debug logging on stderr, with stack traces.")
    boolean verbose;

    @Option(names = "--no-color", description = "No colours, even on a terminal (NO_COLOR is honoured too).")
    boolean noColor;
}
