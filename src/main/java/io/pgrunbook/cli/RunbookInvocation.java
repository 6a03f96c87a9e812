package io.pgrunbook.cli;

import io.pgrunbook.db.ConnectionSpec;
import io.pgrunbook.db.Sandbox;
import io.pgrunbook.db.SandboxOptions;
import io.pgrunbook.engine.Cancellation;
import io.pgrunbook.engine.Engine;
import io.pgrunbook.engine.Planner;
import io.pgrunbook.engine.RunOptions;
import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.error.ExitCode;
import io.pgrunbook.error.PgRunbookException;
import io.pgrunbook.error.Redactor;
import io.pgrunbook.report.RenderOptions;
import io.pgrunbook.report.ReportFiles;
import io.pgrunbook.report.ReportFormat;
import io.pgrunbook.report.ReportRenderer;
import io.pgrunbook.report.ReportSpec;
import io.pgrunbook.report.RunReport;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.load.RunbookLoader;
import io.pgrunbook.error.Suggest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The path every command that runs a runbook shares, whether the runbook came from a file or was
 * built from a subcommand's options: overrides, confirmation, sandbox, run, report, exit code.
 */
final class RunbookInvocation {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RunbookInvocation.class);
    private final AppEnvironment app;
    private final PrintWriter out;
    private final PrintWriter err;
    private final OutputOptions output;
    private final TargetOptions targets;
    private final StepRegistry registry = StepRegistry.load();
    private final Redactor redactor = new Redactor();
    /** What a refusal off a terminal tells the user to review; a subcommand names its own --dry-run. */
    private String previewHint = "review 'pgrunbook plan'";

    RunbookInvocation(AppEnvironment app, PrintWriter out, PrintWriter err, OutputOptions output, TargetOptions targets) {
        this.app = app;
        this.out = out;
        this.err = err;
        this.output = output;
        this.targets = targets;
        Logging.configure(output.verbose);
        redactor.register(app.env().get("PGPASSWORD"));
        RedactingEncoder.use(redactor);
    }

    void previewHint(String hint) {
        this.previewHint = hint;
    }

    Runbook load(Path file, Map<String, String> sets) {
        return load(file, sets, false);
    }

    /** @param forPlan keep an unset ${env:NAME} as written: a plan is reviewed where the run's environment may not be */
    Runbook load(Path file, Map<String, String> sets, boolean forPlan) {
        long began = System.nanoTime();
        RunbookLoader loader = new RunbookLoader(registry);
        Runbook runbook = (forPlan ? loader.keepingUnsetEnvironment() : loader).load(file, sets, app.env());
        LOG.debug("runbook {} loaded in {} ms ({} steps)", file, (System.nanoTime() - began) / 1_000_000, runbook.steps().size());
        return runbook;
    }

    /** A subcommand's built-in runbook, given as a tree, through the same strict loader as a file. */
    Runbook loadTree(Map<String, Object> tree, String source, Map<String, String> sets) {
        return new RunbookLoader(registry).parseTree(tree, source, sets, app.env());
    }

    /** A shipped runbook from the class path (runbooks/NAME.yaml), e.g. a subcommand's built-in one. */
    Runbook loadShipped(String name, Map<String, String> sets) {
        String resource = "/runbooks/" + name;
        try (java.io.InputStream in = RunbookInvocation.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("shipped runbook " + resource + " is missing from the jar");
            }
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return new RunbookLoader(registry).parse(text, "runbooks/" + name, sets, app.env());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Applies --db and --target; --sandbox is applied when the sandbox starts. */
    Runbook withOverrides(Runbook runbook) {
        if (targets.sandbox && (targets.db != null || !targets.targets.isEmpty())) {
            throw PgRunbookException.invalid("--sandbox runs against a throwaway server; it cannot be combined with --db or --target");
        }
        if (!targets.sandbox && !targets.sandboxInit.isEmpty()) {
            throw PgRunbookException.invalid("--sandbox-init loads files into a sandbox; add --sandbox");
        }
        if (!targets.sandbox && targets.sandboxTls) {
            throw PgRunbookException.invalid("--sandbox-tls makes the sandbox serve TLS; add --sandbox");
        }
        Runbook r = runbook;
        if (targets.db != null) {
            r = r.withTargetConnection(r.defaultTarget(), targets.db);
        }
        for (Map.Entry<String, String> t : targets.targets.entrySet()) {
            if (!r.targets().containsKey(t.getKey())) {
                throw PgRunbookException.invalid("--target " + t.getKey() + ": runbook '" + r.name() + "' has no target '"
                        + t.getKey() + "'" + Suggest.hint(t.getKey(), r.targets().keySet()));
            }
            r = r.withTargetConnection(t.getKey(), t.getValue());
        }
        for (var t : r.targets().values()) {
            if (!t.connection().contains("${env:")) { // left unresolved only in plans, which never connect
                redactor.registerAll(ConnectionSpec.parse(t.connection(), app.env()).secrets());
            }
        }
        return r;
    }

    int plan(Runbook runbook, boolean lock) {
        String sandboxNote = null;
        if (targets.sandbox) {
            sandboxNote = "a throwaway local PostgreSQL that the run starts and removes (--sandbox)"
                    + (targets.sandboxTls ? ", serving TLS" : "")
                    + (targets.sandboxInit.isEmpty() ? "" : ", loaded with " + targets.sandboxInit.stream().map(Path::toString)
                            .collect(java.util.stream.Collectors.joining(", ")));
        }
        print(new Planner(registry).plan(runbook, app.env(), lock, sandboxNote));
        return ExitCode.OK.code();
    }

    int run(Runbook runbook, boolean lock, boolean yes) {
        ReportFormat stdoutFormat = ReportFormat.parse(output.format);
        List<ReportSpec> files = reportFiles();
        return execute(runbook, lock, yes, report -> {
            RenderOptions options = renderOptions();
            render(report, stdoutFormat, options);
            for (ReportSpec spec : files) {
                ReportFiles.write(report, spec, options);
            }
            // A monitoring system reads the exit code, not the text: Nagios plugins mean 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
            return stdoutFormat == ReportFormat.NAGIOS ? io.pgrunbook.report.NagiosRenderer.exitCode(report) : report.exitCode().code();
        });
    }

    /** The --report files, parsed. */
    List<ReportSpec> reportFiles() {
        List<ReportSpec> files = new ArrayList<>();
        output.reports.forEach(spec -> files.add(ReportFiles.parseSpec(spec)));
        return files;
    }

    RenderOptions renderOptions() {
        return new RenderOptions(app.colorAllowed() && !output.noColor, output.quiet, null).withRedaction(redactor::redact);
    }

    /** Runs the runbook and hands its report to a command that shows it its own way (migrate lint's SARIF, for one); returns the exit code. */
    int execute(Runbook runbook, boolean lock, boolean yes, java.util.function.ToIntFunction<RunReport> show) {
        Runbook r = withOverrides(runbook);
        reportFiles().forEach(ReportFiles::prepare);
        confirmWrites(r, yes || targets.sandbox); // a sandbox is thrown away after the run: nothing to protect
        Sandbox sandbox = targets.sandbox ? startSandbox() : null;
        try {
            if (sandbox != null) {
                for (String name : r.targets().keySet()) {
                    r = r.withTargetConnection(name, sandbox.url());
                }
            }
            Cancellation cancellation = new Cancellation();
            RunReport report;
            try (Interrupts ignored = Interrupts.onInterrupt(cancellation::cancel)) {
                report = new Engine(registry).run(r, new RunOptions(lock, app.env(), environment(sandbox)), cancellation);
            }
            return show.applyAsInt(report);
        } finally {
            if (sandbox != null) {
                sandbox.stop();
            }
        }
    }

    /** A run that writes needs a yes: asked on a terminal, --yes anywhere else. */
    private void confirmWrites(Runbook runbook, boolean yes) {
        List<String> writes = new Planner(registry).writingSteps(runbook);
        if (writes.isEmpty() || yes) {
            return;
        }
        if (!app.interactive()) {
            throw PgRunbookException.invalid("runbook '" + runbook.name() + "' has steps that write (" + String.join(", ", writes)
                    + ") and there is no terminal to confirm on; " + previewHint + " and rerun with --yes");
        }
        print(new Planner(registry).plan(runbook, app.env(), false));
        err.print("Run " + writes.size() + (writes.size() == 1 ? " step that writes" : " steps that write") + "? [y/N] ");
        err.flush();
        String answer;
        try {
            answer = app.in().readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (answer == null || !(answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"))) {
            throw PgRunbookException.invalid("not confirmed: nothing was run");
        }
    }

    private Sandbox startSandbox() {
        if (!output.quiet) {
            err.println("pgrunbook: starting a throwaway PostgreSQL sandbox...");
            err.flush();
        }
        Sandbox sandbox = Sandbox.start(SandboxOptions.defaults().withTls(targets.sandboxTls));
        try {
            if (!output.quiet) {
                err.println("pgrunbook: sandbox PostgreSQL " + sandbox.serverMajorVersion() + " at " + sandbox.url()
                        + (targets.sandboxTls ? ", serving TLS," : "") + " (removed after the run)");
                err.flush();
            }
            for (Path file : targets.sandboxInit) {
                sandbox.loadSqlFile(file);
            }
            return sandbox;
        } catch (RuntimeException e) {
            sandbox.stop();
            throw e;
        }
    }

    void render(RunReport report, ReportFormat format, RenderOptions options) {
        StringWriter buffer = new StringWriter();
        try {
            ReportRenderer.of(format, options).render(report, buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.print(buffer);
        out.flush();
    }

    private void print(String text) {
        out.print(redactor.redact(text));
        out.flush();
    }

    private Map<String, String> environment(Sandbox sandbox) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("tool", "pgrunbook " + VersionProvider.version());
        env.put("java", System.getProperty("java.version"));
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        env.put("host", hostName());
        env.put("user", System.getProperty("user.name"));
        if (sandbox != null) {
            env.put("sandbox", "PostgreSQL " + sandbox.serverMajorVersion() + " on port " + sandbox.port());
        }
        return env;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
