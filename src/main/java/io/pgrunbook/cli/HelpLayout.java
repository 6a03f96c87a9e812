package io.pgrunbook.cli;

import io.pgrunbook.error.ExitCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * How every command's --help is laid out: examples printed exactly as written (picocli wraps
 * description text at any slash or space, which breaks a pasted command line), and the exit-code
 * table that applies to the command, not the runbook table everywhere.
 */
final class HelpLayout {
    static final String SECTION_KEY_EXAMPLES = "examples";
    private static final String EXAMPLES_HEADING = "Examples:";

    /** Commands that do not run a runbook, with the exit codes they do have. */
    private static final Map<String, Map<String, String>> OWN_EXIT_CODES = Map.of(
            "completion", codes(ExitCode.OK, "the script was printed", ExitCode.INVALID, "unknown shell or option"),
            "types", codes(ExitCode.OK, "the reference was printed", ExitCode.INVALID, "unknown step type or option"),
            "plan", codes(ExitCode.OK, "the plan was printed", ExitCode.INVALID, "invalid usage or runbook",
                    ExitCode.CANNOT_RUN, "a sandbox could not be started", ExitCode.INTERNAL, "internal error (a bug)"),
            "sandbox", codes(ExitCode.OK, "done (status: a sandbox is running)", ExitCode.INVALID, "invalid usage",
                    ExitCode.CANNOT_RUN, "could not start or stop it; status: none is running", ExitCode.INTERNAL, "internal error (a bug)"));
    private static final Set<String> HELP_ONLY = Set.of("help");

    private HelpLayout() {}

    static void apply(CommandLine cmd) {
        moveExamples(cmd);
        applyExitCodes(cmd, runbookExitCodes());
        cmd.getSubcommands().values().forEach(HelpLayout::apply);
    }

    /** The lines under "Examples:" in a description, as a section of their own printed verbatim. */
    private static void moveExamples(CommandLine cmd) {
        UsageMessageSpec usage = cmd.getCommandSpec().usageMessage();
        List<String> description = new ArrayList<>(Arrays.asList(usage.description()));
        int heading = description.indexOf(EXAMPLES_HEADING);
        if (heading < 0) {
            return;
        }
        List<String> examples = new ArrayList<>();
        int end = heading + 1;
        while (end < description.size() && !description.get(end).isBlank()) {
            examples.add(unescape(description.get(end)));
            end++;
        }
        description.subList(heading, Math.min(end + 1, description.size())).clear();
        usage.description(description.toArray(String[]::new));
        StringBuilder text = new StringBuilder("%n".formatted()).append(EXAMPLES_HEADING).append(System.lineSeparator());
        examples.forEach(line -> text.append(line).append(System.lineSeparator()));
        cmd.getHelpSectionMap().put(SECTION_KEY_EXAMPLES, help -> text.toString());
        List<String> keys = new ArrayList<>(cmd.getHelpSectionKeys());
        keys.remove(SECTION_KEY_EXAMPLES);
        keys.add(keys.indexOf(UsageMessageSpec.SECTION_KEY_EXIT_CODE_LIST_HEADING), SECTION_KEY_EXAMPLES);
        cmd.setHelpSectionKeys(keys);
    }

    /** The example command lines of a command (continuations joined), as a user would paste them. */
    static List<String> examples(CommandLine cmd) {
        CommandLine.IHelpSectionRenderer renderer = cmd.getHelpSectionMap().get(SECTION_KEY_EXAMPLES);
        if (renderer == null) {
            return List.of();
        }
        List<String> commands = new ArrayList<>();
        StringBuilder current = null;
        for (String line : renderer.render(cmd.getHelp()).lines().toList()) {
            String t = line.strip();
            if (current == null && !t.startsWith("pgrunbook ")) {
                continue;
            }
            boolean continues = t.endsWith("\\");
            String part = continues ? t.substring(0, t.length() - 1).strip() : t;
            current = current == null ? new StringBuilder(part) : current.append(' ').append(part);
            if (!continues) {
                commands.add(current.toString());
                current = null;
            }
        }
        return commands;
    }

    private static void applyExitCodes(CommandLine cmd, Map<String, String> runbookCodes) {
        String name = cmd.getCommandName();
        if (HELP_ONLY.contains(name)) {
            return;
        }
        Map<String, String> own = cmd.getParent() == null ? null : OWN_EXIT_CODES.get(rootSubcommand(cmd));
        cmd.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(own != null ? own : runbookCodes);
    }

    private static String rootSubcommand(CommandLine cmd) {
        CommandLine c = cmd;
        while (c.getParent() != null && c.getParent().getParent() != null) {
            c = c.getParent();
        }
        return c.getCommandName();
    }

    private static Map<String, String> runbookExitCodes() {
        Map<String, String> codes = new LinkedHashMap<>();
        for (ExitCode c : ExitCode.values()) {
            codes.put(code(c), c.meaning());
        }
        return codes;
    }

    private static Map<String, String> codes(Object... pairs) {
        Map<String, String> codes = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            codes.put(code((ExitCode) pairs[i]), (String) pairs[i + 1]);
        }
        return codes;
    }

    /** The code right-aligned in three columns; not String.format, whose first use loads locale data (start-up). */
    private static String code(ExitCode c) {
        String digits = Integer.toString(c.code());
        return " ".repeat(Math.max(0, 3 - digits.length())) + digits;
    }

    // description lines are format strings: %% is a percent sign, %n a line break
    private static String unescape(String line) {
        return line.replace("%n", System.lineSeparator()).replace("%%", "%");
    }
}
