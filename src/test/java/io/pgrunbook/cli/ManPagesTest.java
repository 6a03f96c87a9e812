package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * man/ holds one man page per command (AsciiDoc, as picocli's generator writes it from the command
 * model; asciidoctor -b manpage turns one into roff). The committed pages are exactly what the current
 * commands generate: with -Dman.regenerate=true the test rewrites them first.
 */
class ManPagesTest {
    static final Path DIR = Path.of("man");
    static final String HOW = "run mvn -q -B test -Dtest=ManPagesTest -Dman.regenerate=true";

    static List<CommandLine> commands(CommandLine cmd) {
        List<CommandLine> all = new ArrayList<>(List.of(cmd));
        cmd.getSubcommands().values().forEach(sub -> all.addAll(commands(sub)));
        return all;
    }

    static String fileName(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName("-") + ".adoc";
    }

    static String page(CommandLine cmd) {
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            ManPageGenerator.writeSingleManPage(out, cmd.getCommandSpec());
        }
        // the generator stamps today's date; a page is current when its content is, whatever the day
        String page = text.toString().replaceAll("(?m)^:revdate: .*$", ":revdate: generated");
        // the examples are a help section of our own (printed verbatim), which the generator does not know
        List<String> examples = HelpLayout.examples(cmd);
        if (examples.isEmpty()) {
            return page;
        }
        String section = "// tag::picocli-generated-man-section-examples[]\n== Examples\n\n....\n" + String.join("\n", examples)
                + "\n....\n\n// end::picocli-generated-man-section-examples[]\n\n";
        String footer = "// tag::picocli-generated-man-section-footer[]";
        return page.contains(footer) ? page.replace(footer, section + footer) : page + section;
    }

    @Test
    void committedManPagesAreCurrent() throws Exception {
        List<CommandLine> all = commands(Cli.create(AppEnvironment.system()));
        if (Boolean.getBoolean("man.regenerate")) {
            Files.createDirectories(DIR);
            try (Stream<Path> old = Files.list(DIR)) {
                for (Path p : old.filter(p -> p.toString().endsWith(".adoc")).toList()) {
                    Files.delete(p);
                }
            }
            for (CommandLine cmd : all) {
                Files.writeString(DIR.resolve(fileName(cmd)), page(cmd), StandardCharsets.UTF_8);
            }
        }
        for (CommandLine cmd : all) {
            Path file = DIR.resolve(fileName(cmd));
            assertThat(file).as(file + " is missing: " + HOW).exists();
            assertThat(Files.readString(file, StandardCharsets.UTF_8)).as(file + " is stale: " + HOW).isEqualTo(page(cmd));
        }
        try (Stream<Path> files = Files.list(DIR)) {
            assertThat(files.filter(p -> p.toString().endsWith(".adoc")).count()).as("no page for a command that is gone: " + HOW)
                    .isEqualTo(all.size());
        }
    }

    @Test
    void theTopPageListsEveryCommandAndItsExamples() {
        String top = page(Cli.create(AppEnvironment.system()));
        assertThat(top).contains("pgrunbook", "run", "verify-backup", "types");
        String run = page(Cli.create(AppEnvironment.system()).getSubcommands().get("run"));
        assertThat(run).contains("pgrunbook run runbooks/health.yaml --sandbox", "Exit codes");
    }
}
