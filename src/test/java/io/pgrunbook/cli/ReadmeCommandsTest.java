package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The README's commands stay true: every {@code ./pgrunbook} line in its shell blocks parses as
 * written, the main job runs on a sandbox and prints the sample lines the README shows, and the CI
 * example writes its reports into a directory that did not exist.
 */
class ReadmeCommandsTest {
    static final Path README = Path.of("README.md");
    private static final Pattern SHELL_BLOCK = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern SAMPLE_BLOCK = Pattern.compile("The first prints a report like this.*?```\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern STEP_LINE = Pattern.compile("^(PASS|WARN|FAIL|ERROR|SKIP) +(\\S+) +(.*?)  \\(");

    static List<List<String>> readmeCommands() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        List<List<String>> commands = new ArrayList<>();
        Matcher blocks = SHELL_BLOCK.matcher(readme);
        while (blocks.find()) {
            for (String line : blocks.group(1).lines().toList()) {
                int at = line.indexOf("./pgrunbook ");
                if (line.startsWith("#") || at < 0) {
                    continue;
                }
                String command = line.substring(at + "./pgrunbook ".length());
                int comment = command.indexOf(" #");
                command = comment < 0 ? command : command.substring(0, comment);
                List<String> words = HelpExamplesTest.ShellWords.split(command);
                commands.add(words);
            }
        }
        return commands;
    }

    @Test
    void everyReadmeCommandParses() throws Exception {
        List<List<String>> commands = readmeCommands();
        assertThat(commands).hasSizeGreaterThan(10);
        for (List<String> args : commands) {
            try {
                Cli.create(AppEnvironment.system()).parseArgs(args.toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                throw new AssertionError("README command does not parse: pgrunbook " + String.join(" ", args) + "\n  " + e.getMessage(), e);
            }
        }
    }

    @Test
    void mainJobPrintsWhatTheReadmeShows() throws Exception {
        List<String> main = readmeCommands().get(0);
        assertThat(main).containsExactly("run", "runbooks/health.yaml", "--sandbox", "--sandbox-init", "runbooks/sample/storage-schema.sql");
        CliRun run = CliRun.run(main.toArray(String[]::new));
        assertThat(run.exitCode).as(run.toString()).isZero();
        Matcher sample = SAMPLE_BLOCK.matcher(Files.readString(README, StandardCharsets.UTF_8));
        assertThat(sample.find()).isTrue();
        int checked = 0;
        for (String line : sample.group(1).lines().toList()) {
            Matcher step = STEP_LINE.matcher(line);
            if (step.find()) {
                assertThat(run.out).as("README sample line: " + line).containsPattern(
                        "(?m)^" + step.group(1) + " +" + Pattern.quote(step.group(2)) + " +" + Pattern.quote(step.group(3)) + "  \\(");
                checked++;
            } else if (line.startsWith("       ") && !line.contains("|") && !line.contains("...")) {
                assertThat(run.out).as("README sample line").contains(line.strip());
                checked++;
            } else if (line.matches("\\d+ steps: .*")) {
                assertThat(run.out).contains(line.substring(0, line.indexOf(" in ")));
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(6);
    }

    @Test
    void ciExampleCreatesItsReportDirectory(@TempDir Path tmp) throws Exception {
        List<String> ci = readmeCommands().stream().filter(c -> c.contains("--report") && c.contains("--sandbox")).findFirst().orElseThrow();
        Path out = tmp.resolve("out");
        List<String> args = ci.stream().map(a -> a.replace("=out/", "=" + out + "/")).toList();
        CliRun run = CliRun.run(args.toArray(String[]::new));
        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(out.resolve("junit.xml")).isRegularFile();
        assertThat(out.resolve("report.json")).isRegularFile();
    }
}
