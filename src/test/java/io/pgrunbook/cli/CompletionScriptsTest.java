package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed completion scripts are exactly what the current command tree generates. */
class CompletionScriptsTest {

    @Test
    void committedBashScriptIsCurrent() throws Exception {
        assertCurrent("bash", Path.of("completions/pgrunbook.bash"));
    }

    @Test
    void committedZshScriptIsCurrent() throws Exception {
        assertCurrent("zsh", Path.of("completions/_pgrunbook"));
    }

    @Test
    void completionCommandPrintsTheScriptAndRefusesUnknownShells() {
        CliRun bash = CliRun.run("completion", "bash");
        assertThat(bash.exitCode).isZero();
        assertThat(bash.out).contains("complete -F", "sandbox", "--dry-run");
        CliRun fish = CliRun.run("completion", "fish");
        assertThat(fish.exitCode).isEqualTo(2);
        assertThat(fish.err).contains("unknown shell 'fish'");
    }

    private static void assertCurrent(String shell, Path committed) throws Exception {
        String generated = CompletionCommand.script(Cli.create(AppEnvironment.system()), shell);
        assertThat(Files.exists(committed)).as(committed + " exists").isTrue();
        assertThat(Files.readString(committed))
                .as(committed + " is out of date: regenerate it with ./pgrunbook completion " + shell + " > " + committed)
                .isEqualTo(generated);
    }
}
