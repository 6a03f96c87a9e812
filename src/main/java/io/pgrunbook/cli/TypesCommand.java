package io.pgrunbook.cli;

import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.engine.StepTypeReference;
import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.error.Suggest;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "types",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        header = "List the step types a runbook can use, or show one with its keys and an example.",
        description = {
            "Without TYPE: one line per type (WRITES marks the ones that change the database). With TYPE: what it does, "
                    + "every key it takes under with: (type, whether required, meaning) and a step to start from. "
                    + "The same reference is docs/step-types.md.",
            "",
            "Examples:",
            "  pgrunbook types",
            "  pgrunbook types verify-backup",
            "  pgrunbook types check.sequences",
            ""})
final class TypesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TYPE", description = "A step type, e.g. backup or check.bloat.")
    String type;

    @Option(names = "--markdown", description = "Print the whole reference as Markdown (what docs/step-types.md holds).")
    boolean markdown;

    @Override
    public Integer call() {
        StepRegistry registry = StepRegistry.load();
        PrintWriter out = spec.commandLine().getOut();
        if (markdown) {
            out.print(StepTypeReference.markdown(registry));
        } else if (type == null) {
            out.print(StepTypeReference.list(registry));
        } else {
            var kind = registry.find(type).orElseThrow(() -> PgRunbookException.invalid(
                    "no step type '" + type + "'" + Suggest.nearest(type, registry.names()).map(s -> "; did you mean '" + s + "'?")
                            .orElse("; 'pgrunbook types' lists them")));
            out.print(StepTypeReference.text(kind));
        }
        out.flush();
        return 0;
    }
}
