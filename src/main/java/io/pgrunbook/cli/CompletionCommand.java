package io.pgrunbook.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "completion",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        header = "Print the shell completion script (bash or zsh).",
        description = {
            "Generated from the real command tree; the same scripts are committed under completions/. "
                    + "Install one as below (zsh: or source it from ~/.zshrc).",
            "",
            "Examples:",
            "  pgrunbook completion bash > /etc/bash_completion.d/pgrunbook",
            "  pgrunbook completion zsh > \"$${fpath[1]}/_pgrunbook\"",
            ""})
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SHELL", defaultValue = "bash", completionCandidates = Candidates.Shells.class, description = "bash or zsh (default: bash).")
    String shell;

    @Override
    public Integer call() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown shell '" + shell + "': use bash or zsh");
        }
        spec.commandLine().getOut().print(script(spec.root().commandLine(), shell));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** picocli's script serves both shells; zsh loads it through bashcompinit. */
    static String script(CommandLine root, String shell) {
        String bash = AutoComplete.bash("pgrunbook", root);
        if (shell.equals("zsh")) {
            return "#compdef pgrunbook\n# zsh completion for pgrunbook: picocli's script through bashcompinit.\n"
                    + "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n" + bash;
        }
        return bash;
    }
}
