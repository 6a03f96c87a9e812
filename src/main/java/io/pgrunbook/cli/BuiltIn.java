package io.pgrunbook.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/** A subcommand's built-in runbook of one step, run through the same path as a runbook file. */
final class BuiltIn {
    private BuiltIn() {}

    static int run(AppEnvironment app, CommandSpec spec, OutputOptions output, TargetOptions targets, String runbookName,
            String type, Map<String, Object> with, String timeout, boolean dryRun, boolean yes) {
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("id", runbookName);
        step.put("type", type);
        step.put("timeout", timeout);
        step.put("with", with);
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("name", runbookName);
        tree.put("steps", List.of(step));
        RunbookInvocation invocation = new RunbookInvocation(app, spec.commandLine().getOut(), spec.commandLine().getErr(), output, targets);
        var runbook = invocation.loadTree(tree, "built-in:" + runbookName, Map.of());
        return dryRun ? invocation.plan(invocation.withOverrides(runbook), false) : invocation.run(runbook, false, yes);
    }
}
