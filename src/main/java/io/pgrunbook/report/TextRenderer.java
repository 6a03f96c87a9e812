package io.pgrunbook.report;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;

/** For a DBA at a terminal, or (quiet) for a cron job that mails whatever it prints. */
public final class TextRenderer implements ReportRenderer {
    private static final String RESET = "\u001b[0m";
    private static final String BOLD = "\u001b[1m";
    private static final String RED_BOLD = "\u001b[1;31m";
    private static final int BADGE_WIDTH = 7;
    private static final int MAX_ID_WIDTH = 32;

    private final RenderOptions options;

    public TextRenderer(RenderOptions options) {
        this.options = options == null ? RenderOptions.defaults() : options;
    }

    @Override
    public void render(RunReport report, Writer out) throws IOException {
        boolean quiet = options.quiet();
        if (quiet && report.exitCode().code() == 0) {
            return;
        }
        List<String> lines = new ArrayList<>();
        if (!quiet) {
            header(report, lines);
        }
        int idWidth = 0;
        for (StepResult step : report.steps()) {
            idWidth = Math.max(idWidth, TextFormatting.width(TextFormatting.printable(step.stepId(), false)));
        }
        idWidth = Math.min(idWidth, MAX_ID_WIDTH);
        for (StepResult step : report.steps()) {
            if (!quiet || isFailure(step.status())) {
                step(step, idWidth, lines);
            }
        }
        runError(report, lines);
        if (!lines.isEmpty()) {
            lines.add("");
        }
        lines.add((quiet ? TextFormatting.printable(report.runbook(), false) + ": " : "") + summary(report));
        for (String line : lines) {
            out.write(line.stripTrailing());
            out.write('\n');
        }
        out.flush();
    }

    /** "12 steps: 9 passed, 1 warning, 1 failed, 1 error, 0 skipped in 0.84 s (exit 1)" */
    public static String summary(RunReport report) {
        long millis = report.duration() == null ? 0 : report.duration().toMillis();
        return TextFormatting.plural(report.steps().size(), "step", "steps") + ": "
                + report.count(Status.PASS) + " passed, "
                + TextFormatting.plural(report.count(Status.WARN), "warning", "warnings") + ", "
                + report.count(Status.FAIL) + " failed, "
                + TextFormatting.plural(report.count(Status.ERROR), "error", "errors") + ", "
                + report.count(Status.SKIP) + " skipped in "
                + TextFormatting.seconds(millis) + " s"
                + " (exit " + report.exitCode().code() + ")";
    }

    private void header(RunReport report, List<String> lines) {
        String name = TextFormatting.printable(report.runbook(), false);
        lines.add(options.color() ? BOLD + name + RESET : name);
        if (report.description() != null && !report.description().isBlank()) {
            lines.addAll(TextFormatting.lines(TextFormatting.printable(report.description(), true)));
        }
        if (report.source() != null) {
            lines.add("source: " + TextFormatting.printable(report.source(), false));
        }
        int nameWidth = 0;
        for (TargetInfo t : report.targets()) {
            nameWidth = Math.max(nameWidth, TextFormatting.width(TextFormatting.printable(t.name(), false)));
        }
        for (TargetInfo t : report.targets()) {
            String version = t.serverVersion() == null ? "(not reached)" : t.serverVersion();
            lines.add("target " + TextFormatting.pad(TextFormatting.printable(t.name(), false), nameWidth, false)
                    + "  " + TextFormatting.printable(t.display(), false)
                    + "  " + TextFormatting.printable(version, false));
        }
        lines.add("");
    }

    private void step(StepResult step, int idWidth, List<String> lines) {
        StringBuilder line = new StringBuilder(badge(step.status()));
        line.append(TextFormatting.pad(TextFormatting.printable(step.stepId(), false), idWidth, false));
        if (step.name() != null && !step.name().equals(step.stepId())) {
            line.append("  ").append(TextFormatting.printable(step.name(), false));
        }
        String where = step.isFannedOut()
                ? TextFormatting.plural(step.children().size(), "target", "targets")
                : step.target();
        line.append("  (");
        if (where != null) {
            line.append(TextFormatting.printable(where, false)).append(", ");
        }
        line.append(TextFormatting.humanDuration(step.duration())).append(')');
        lines.add(line.toString());
        String indent = " ".repeat(BADGE_WIDTH);
        details(step, indent, lines);
        for (StepResult child : step.children()) {
            if (options.quiet() && !isFailure(child.status())) {
                continue;
            }
            String target = child.target() == null ? child.stepId() : child.target();
            lines.add("  " + badge(child.status()) + TextFormatting.printable(target, false)
                    + "  (" + TextFormatting.humanDuration(child.duration()) + ")");
            details(child, "  " + indent, lines);
        }
    }

    private static void details(StepResult step, String indent, List<String> lines) {
        if (step.message() != null && !step.message().isBlank()) {
            for (String l : TextFormatting.lines(TextFormatting.printable(step.message(), true))) {
                lines.add(indent + l);
            }
        }
        if (step.sqlState() != null && step.status() == Status.ERROR) {
            lines.add(indent + "sqlstate: " + TextFormatting.printable(step.sqlState(), false));
        }
        if (step.attempts() > 1) {
            lines.add(indent + "attempts: " + step.attempts());
        }
        if (step.status() == Status.FAIL || step.status() == Status.WARN || step.status() == Status.ERROR) {
            for (String l : EvidenceTable.lines(step.evidence())) {
                lines.add(indent + l);
            }
        }
    }

    private void runError(RunReport report, List<String> lines) {
        List<String> text = new ArrayList<>();
        if (report.interrupted()) {
            text.add("INTERRUPTED: the run was cut short; this report is partial");
        }
        if (report.runError() != null) {
            List<String> msg = TextFormatting.lines(TextFormatting.printable(report.runError(), true));
            text.add("RUN ERROR: " + msg.get(0));
            for (String l : msg.subList(1, msg.size())) {
                text.add("           " + l);
            }
        }
        if (text.isEmpty()) {
            return;
        }
        if (!lines.isEmpty()) {
            lines.add("");
        }
        for (String l : text) {
            lines.add(options.color() ? RED_BOLD + l + RESET : l);
        }
    }

    private String badge(Status status) {
        String label = status.name();
        String padding = " ".repeat(BADGE_WIDTH - label.length());
        if (!options.color()) {
            return label + padding;
        }
        return color(status) + label + RESET + padding;
    }

    private static String color(Status status) {
        return switch (status) {
            case PASS -> "\u001b[32m";
            case WARN -> "\u001b[33m";
            case FAIL -> "\u001b[31m";
            case ERROR -> RED_BOLD;
            case SKIP -> "\u001b[90m";
        };
    }

    private static boolean isFailure(Status status) {
        return status == Status.FAIL || status == Status.ERROR;
    }
}
