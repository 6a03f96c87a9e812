package io.pgrunbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Main builds only the command a line names: building every command's model was most of a start. */
class CliTreeTest {
    static java.util.Set<String> built(String... args) {
        return Cli.create(AppEnvironment.system(), args).getSubcommands().keySet();
    }

    @Test
    void aLineThatNamesACommandBuildsThatOneOnly() {
        assertThat(built("run", "runbooks/health.yaml", "--sandbox")).containsExactly("run");
        assertThat(built("migrate", "up", "--dry-run")).containsExactly("migrate");
        assertThat(Cli.create(AppEnvironment.system(), new String[] {"migrate", "up"}).getSubcommands().get("migrate")
                .getSubcommands()).containsKey("up");
    }

    @Test
    void theVersionBuildsNoneAndEverythingThatListsCommandsBuildsAll() {
        assertThat(built("--version")).isEmpty();
        int all = TopCommand.SUBCOMMANDS.size();
        assertThat(built("--help")).hasSize(all);
        assertThat(built()).hasSize(all);
        assertThat(built("rnu")).hasSize(all);
        assertThat(built("completion", "bash")).hasSize(all);
        assertThat(Cli.create(AppEnvironment.system()).getSubcommands()).hasSize(all);
    }
}
