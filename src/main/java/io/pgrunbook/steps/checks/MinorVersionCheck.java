package io.pgrunbook.steps.checks;

import io.pgrunbook.engine.ResultTable;
import io.pgrunbook.engine.StepContext;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.ValueKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * how many minor releases the server is behind the newest of its major version, against a list shipped
 * with pgrunbook ({@code checks/postgresql-minor-releases.properties}) that a runbook can update with
 * {@code latest:}; no network is used
 */
public final class MinorVersionCheck extends Check {
    static final String SQL = "SELECT current_setting('server_version') AS version, current_setting('server_version_num')::int AS num";
    static final String RELEASES = "/checks/postgresql-minor-releases.properties";

    @Override
    protected String check() {
        return "minor_version";
    }

    @Override
    public String summary() {
        return "minor releases the server is behind the newest of its major version (a list shipped with pgrunbook, updatable with latest:)";
    }

    @Override
    public String recommendation() {
        return "Minor releases carry only bug and security fixes and need no dump or pg_upgrade: install the newest minor "
                + "packages and restart (on a replica first), after reading the release notes for extra steps such as a REINDEX";
    }

    @Override
    protected List<ParamSpec> ownParameters() {
        return List.of(ParamSpec.optional("latest", ValueKind.MAP,
                "the newest minor release per major version, e.g. {17: 12, 16: 16}; overrides the list shipped with pgrunbook"));
    }

    @Override
    public Threshold threshold() {
        return Threshold.above("minors_behind", ValueKind.INTEGER, "", 2L, 4L);
    }

    @Override
    protected Optional<String> notApplicable(StepContext context) throws SQLException {
        int major = context.server().major();
        if (latest(context).get(String.valueOf(major)) == null) {
            return Optional.of("no newest minor release of PostgreSQL " + major + " is known (the shipped list, as of "
                    + shipped().getProperty("as_of") + ", has none); give it with latest: {" + major + ": N}");
        }
        return Optional.empty();
    }

    @Override
    protected ResultTable measure(StepContext context) throws SQLException {
        List<Object> row = query(context, SQL, Map.of()).rows().get(0);
        int num = ((Number) row.get(1)).intValue();
        int major = num / 10000;
        int minor = num % 100;
        Properties latest = latest(context);
        int newest = Integer.parseInt(latest.getProperty(String.valueOf(major)).strip());
        List<List<Object>> rows = new ArrayList<>();
        rows.add(Arrays.asList(row.get(0), major, minor, major + "." + newest, Math.max(0, newest - minor), latest.getProperty("as_of")));
        return ResultTable.of(List.of("version", "major", "minor", "newest", "minors_behind", "list_as_of"), rows);
    }

    /** The shipped list with the runbook's latest: entries over it (their as_of then says so). */
    private static Properties latest(StepContext context) {
        Properties p = new Properties();
        p.putAll(shipped());
        Object given = context.step().with().get("latest");
        if (given instanceof Map<?, ?> m && !m.isEmpty()) {
            m.forEach((k, v) -> p.setProperty(String.valueOf(k).strip(), String.valueOf(v).strip()));
            p.setProperty("as_of", "the runbook's latest: for " + m.keySet() + ", else " + shipped().getProperty("as_of"));
        }
        return p;
    }

    static Properties shipped() {
        Properties p = new Properties();
        try (InputStream in = MinorVersionCheck.class.getResourceAsStream(RELEASES)) {
            if (in == null) {
                throw new IllegalStateException(RELEASES + " is missing from this build of pgrunbook");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    @Override
    public void validate(io.pgrunbook.runbook.Step step, java.util.Set<String> targetNames, io.pgrunbook.runbook.Problems problems) {
        super.validate(step, targetNames, problems);
        if (step.with().get("latest") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (!String.valueOf(k).strip().matches("\\d+") || !String.valueOf(v).strip().matches("\\d+")) {
                    problems.add(step.location(), "step '" + step.id() + "': with.latest takes major: minor as whole numbers "
                            + "(e.g. {17: 12}), got " + k + ": " + v);
                }
            });
        }
    }
}
