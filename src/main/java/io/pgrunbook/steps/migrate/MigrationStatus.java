package io.pgrunbook.steps.migrate;

import io.pgrunbook.engine.StepOutcome;
import io.pgrunbook.report.Evidence;
import io.pgrunbook.report.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code status} and {@code validate}: the files compared with the history, rows only for what is not plainly applied. */
final class MigrationStatus {
    private static final List<String> COLUMNS = List.of("version", "description", "state", "applied_at", "applied_by", "execution_ms", "note");
    /** How many pending/failed/changed/missing migrations the one-line verdict names before it says "and N more". */
    private static final int NOTABLE_IN_MESSAGE = 10;

    private MigrationStatus() {}

    static StepOutcome compare(List<Migration> migrations, List<Migration> repeatables, Map<String, SchemaHistory.Row> rows, boolean validate) {
        String baseline = Migrator.baselineVersion(rows);
        Map<String, Migration> files = new HashMap<>();
        migrations.forEach(m -> files.put(m.version(), m));
        repeatables.forEach(m -> files.put(m.version(), m));
        // Applied rows are only counted: with a thousand of them, the reader needs the few that are not.
        List<List<Object>> out = new ArrayList<>();
        List<String> notable = new ArrayList<>();
        int applied = 0, pending = 0, failed = 0, changed = 0, missing = 0, belowBaseline = 0, repeatable = 0;
        for (Migration m : migrations) {
            SchemaHistory.Row r = rows.get(m.version());
            if (r == null) {
                if (baseline != null && Migration.compareVersions(m.version(), baseline) <= 0) {
                    belowBaseline++;
                } else {
                    pending++;
                    out.add(row(m.version(), m.description(), "pending", null, m.upFile().getFileName().toString()));
                    notable.add("pending " + m.upFile().getFileName());
                }
            } else if (r.kind().equals("baseline") || (r.success() && m.checksum().equals(r.checksum()))) {
                applied++;
            } else if (!r.success()) {
                failed++;
                out.add(row(m.version(), m.description(), "failed", r, r.error()));
                notable.add("failed " + m.version() + ": " + r.error());
            } else {
                changed++;
                String note = m.upFile().getFileName() + " differs from what was applied (sha256 " + abbrev(r.checksum()) + " applied, "
                        + abbrev(m.checksum()) + " now)";
                out.add(row(m.version(), m.description(), "changed", r, note));
                notable.add("changed " + note);
            }
        }
        for (Migration m : repeatables) {
            SchemaHistory.Row r = rows.get(m.version());
            if (r != null && r.success() && m.checksum().equals(r.checksum())) {
                applied++;
            } else {
                repeatable++;
                out.add(row(m.version(), m.description(), "repeatable pending", r, r == null ? "never applied"
                        : r.success() ? "changed since it was applied: applied again after the versioned migrations" : "failed: " + r.error()));
                notable.add("repeatable " + m.upFile().getFileName() + (r == null ? " (new)" : " (changed)"));
            }
        }
        for (SchemaHistory.Row r : rows.values()) {
            if (files.containsKey(r.version())) {
                continue;
            }
            if (r.kind().equals("baseline")) {
                applied++;
            } else if (!r.success()) {
                failed++;
                out.add(row(r.version(), r.description(), "failed", r, r.error()));
                notable.add("failed " + r.version() + " (no file): " + r.error());
            } else {
                missing++;
                out.add(row(r.version(), r.description(), "missing", r, "in the history but no file has this version"));
                notable.add("missing " + r.version() + " (applied, no file)");
            }
        }
        out.sort((a, b) -> Migration.compareVersions((String) a.get(0), (String) b.get(0)));
        String summary = applied + " applied, " + pending + " pending, " + failed + " failed, " + changed + " changed, " + missing + " missing"
                + (repeatable > 0 ? ", " + repeatable + " repeatable to (re)apply" : "")
                + (belowBaseline > 0 ? ", " + belowBaseline + " below the baseline " + baseline : "");
        String detail = notable.isEmpty() ? "" : "; " + String.join("; ", notable.subList(0, Math.min(NOTABLE_IN_MESSAGE, notable.size())))
                + (notable.size() > NOTABLE_IN_MESSAGE ? "; and " + (notable.size() - NOTABLE_IN_MESSAGE) + " more (see the rows)" : "");
        Evidence ev = new Evidence(validate ? "no failed, changed or missing migrations" : null, summary, COLUMNS, out, out.size());
        boolean drift = failed + changed + missing > 0;
        if (validate) {
            return StepOutcome.verdict(drift ? Status.FAIL : Status.PASS, (drift ? "drift: " : "history matches the files: ") + summary + detail, ev);
        }
        return StepOutcome.verdict(drift ? Status.WARN : Status.PASS, summary + detail, ev);
    }

    private static List<Object> row(String version, String description, String state, SchemaHistory.Row r, String note) {
        return Arrays.asList(version, description, state, r == null ? null : r.appliedAt(), r == null ? null : r.appliedBy(),
                r == null ? null : r.executionMs(), note);
    }

    private static String abbrev(String checksum) {
        return checksum == null ? "none" : checksum.substring(0, Math.min(12, checksum.length()));
    }
}
