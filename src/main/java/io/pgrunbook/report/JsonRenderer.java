package io.pgrunbook.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The machine-readable report, documented in docs/report-json.md; keys keep a fixed order. */
public final class JsonRenderer implements ReportRenderer {
    public static final String SCHEMA = "pgrunbook.report/v1";

    private static final ObjectWriter WRITER = writer();

    @Override
    public void render(RunReport report, Writer out) throws IOException {
        WRITER.writeValue(out, toTree(report));
        out.write('\n');
        out.flush();
    }

    /** The report as nested maps and lists, in the documented key order. */
    private static Map<String, Object> metric(Metric metric) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", metric.name());
        m.put("type", metric.type());
        m.put("labels", metric.labels());
        m.put("value", metric.value());
        return m;
    }

    public static Map<String, Object> toTree(RunReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", SCHEMA);
        m.put("runbook", r.runbook());
        m.put("description", r.description());
        m.put("source", r.source());
        m.put("started_at", iso(r.startedAt()));
        m.put("duration_ms", r.duration() == null ? 0 : r.duration().toMillis());
        m.put("status", r.overall().key());
        m.put("exit_code", r.exitCode().code());
        m.put("interrupted", r.interrupted());
        m.put("run_error", r.runError());
        m.put("environment", new TreeMap<>(r.environment()));
        List<Object> targets = new ArrayList<>();
        for (TargetInfo t : r.targets()) {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("name", t.name());
            tm.put("display", t.display());
            tm.put("server_version", t.serverVersion());
            targets.add(tm);
        }
        m.put("targets", targets);
        Map<String, Object> summary = new LinkedHashMap<>();
        for (Status s : List.of(Status.PASS, Status.WARN, Status.FAIL, Status.ERROR, Status.SKIP)) {
            summary.put(s.key(), r.count(s));
        }
        m.put("summary", summary);
        m.put("steps", r.steps().stream().map(JsonRenderer::step).toList());
        return m;
    }

    private static Map<String, Object> step(StepResult s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.stepId());
        m.put("name", s.name());
        m.put("type", s.type());
        m.put("target", s.target());
        m.put("severity", s.severity() == null ? null : s.severity().key());
        m.put("status", s.status() == null ? null : s.status().key());
        m.put("started_at", iso(s.startedAt()));
        m.put("duration_ms", s.duration().toMillis());
        m.put("message", s.message());
        m.put("sqlstate", s.sqlState());
        m.put("attempts", s.attempts());
        Evidence e = s.evidence();
        Map<String, Object> em = new LinkedHashMap<>();
        em.put("expected", e.expected());
        em.put("observed", e.observed());
        em.put("columns", e.columns());
        em.put("rows", e.rows().stream().map(JsonRenderer::value).toList());
        em.put("total_rows", e.totalRows());
        m.put("evidence", em);
        m.put("children", s.children().stream().map(JsonRenderer::step).toList());
        m.put("metrics", s.metrics().stream().map(JsonRenderer::metric).toList());
        return m;
    }

    // rows should hold only JSON-like values; anything else is written as its text, never as a bean
    private static Object value(Object v) {
        if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) {
            return v;
        }
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) {
                out.add(value(o));
            }
            return out;
        }
        return String.valueOf(v);
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static ObjectWriter writer() {
        ObjectMapper mapper = JsonMapper.builder().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET).build();
        DefaultPrettyPrinter pretty = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"))
                .withObjectIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"));
        return mapper.writer(pretty);
    }
}
