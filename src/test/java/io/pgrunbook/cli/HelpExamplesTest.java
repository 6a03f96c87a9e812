package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every example printed by --help parses as printed (no token broken by wrapping, no option that does
 * not exist), help prints no picocli warning, and each command shows the exit codes that apply to it.
 */
class HelpExamplesTest {

    static List<CommandLine> allCommands(CommandLine cmd) {
        List<CommandLine> all = new ArrayList<>(List.of(cmd));
        cmd.getSubcommands().values().forEach(sub -> all.addAll(allCommands(sub)));
        return all;
    }

    @Test
    void everyHelpExampleParsesAsPrinted() {
        CommandLine root = Cli.create(AppEnvironment.system());
        int examples = 0;
        for (CommandLine cmd : allCommands(root)) {
            String help = cmd.getUsageMessage(CommandLine.Help.Ansi.OFF);
            for (String example : HelpLayout.examples(cmd)) {
                examples++;
                assertThat(help).as("printed whole, on one line or with \\ continuations").contains(example.split(" \\S+ \\S+ ")[0]);
                List<String> words = ShellWords.split(example);
                assertThat(words.get(0)).isEqualTo("pgrunbook");
                assertThat(example).as("a pasted example needs real values, not ...").doesNotContain(" ... ", "...-");
                List<String> args = words.subList(1, words.size());
                try {
                    Cli.create(AppEnvironment.system()).parseArgs(args.toArray(String[]::new));
                } catch (CommandLine.ParameterException e) {
                    throw new AssertionError("help example does not parse: " + example + "\n  " + e.getMessage(), e);
                }
            }
        }
        assertThat(examples).as("examples found in the help of the commands").isGreaterThan(25);
    }

    @Test
    void helpPrintsNoPicocliWarningAndNoUnresolvedVariable() {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        List<String> helps = new ArrayList<>();
        try {
            for (CommandLine cmd : allCommands(Cli.create(AppEnvironment.system()))) {
                helps.add(cmd.getUsageMessage(CommandLine.Help.Ansi.OFF));
            }
        } finally {
            System.setErr(saved);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("picocli WARN");
        assertThat(helps).allSatisfy(h -> assertThat(h).doesNotContain("null/", "\"null"));
    }

    @Test
    void exitCodeTablesOnlyWhereTheyApply() {
        CliRun completion = CliRun.run("completion", "--help");
        assertThat(completion.out).contains("Exit codes:", "the script was printed").doesNotContain("130", "critical step");
        CliRun sandbox = CliRun.run("sandbox", "--help");
        assertThat(sandbox.out).contains("Exit codes:").doesNotContain("critical step");
        CliRun run = CliRun.run("run", "--help");
        assertThat(run.out).contains("critical step", "130");
        assertThat(run.out.indexOf("Examples:")).isGreaterThan(run.out.indexOf("--format"));
    }

    @Test
    void mistypedCommandsAndOptionsGetASuggestion() {
        CliRun swapped = CliRun.run("rnu");
        assertThat(swapped.exitCode).isEqualTo(2);
        assertThat(swapped.err).contains("Did you mean: pgrunbook run?");
        CliRun option = CliRun.run("run", "--fromat", "json", "x.yaml");
        assertThat(option.exitCode).isEqualTo(2);
        assertThat(option.err).contains("Did you mean: pgrunbook run --format?");
    }

    @Test
    void enumeratedOptionValuesComplete() {
        String bash = CompletionCommand.script(Cli.create(AppEnvironment.system()), "bash");
        assertThat(bash).contains("(\"text\" \"json\" \"junit\" \"prometheus\" \"nagios\")", "\"fnv1a64\"", "\"block_writes\"");
    }

    @Test
    void typesListsShowsAndSuggests() {
        CliRun list = CliRun.run("types");
        assertThat(list.exitCode).isZero();
        assertThat(list.out).contains("backup", "verify-backup", "ttl.sweep", "check.bloat");
        CliRun one = CliRun.run("types", "ttl.sweep");
        assertThat(one.exitCode).isZero();
        assertThat(one.out).contains("Keys under with:", "Example:", "type: ttl.sweep");
        CliRun typo = CliRun.run("types", "verfy-backup");
        assertThat(typo.exitCode).isEqualTo(2);
        assertThat(typo.err).contains("did you mean 'verify-backup'?");
    }

    /** Splits a command line as a POSIX shell would for these examples: quotes, and a redirection ends it. */
    static final class ShellWords {
        static List<String> split(String line) {
            List<String> words = new ArrayList<>();
            StringBuilder word = null;
            char quote = 0;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quote != 0) {
                    if (c == quote) {
                        quote = 0;
                    } else {
                        word.append(c);
                    }
                } else if (c == '\'' || c == '"') {
                    quote = c;
                    word = word == null ? new StringBuilder() : word;
                } else if (Character.isWhitespace(c)) {
                    if (word != null) {
                        words.add(word.toString());
                        word = null;
                    }
                } else if (c == '>' && word == null) {
                    break;
                } else {
                    word = word == null ? new StringBuilder().append(c) : word.append(c);
                }
            }
            if (word != null) {
                words.add(word.toString());
            }
            return words;
        }
    }
}
