package io.pgrunbook.report;

import java.io.IOException;
import java.io.Writer;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * JUnit XML as Jenkins, GitLab and GitHub read it: one testsuite per run, one testcase per step
 * (per target for a fanned-out step). Warnings pass, since they do not fail the exit code either.
 */
public final class JUnitRenderer implements ReportRenderer {
    static final String RUN_TESTCASE = "pgrunbook.run";

    // Ant's schema, which most readers follow, has no zone in the timestamp: it is UTC here
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    private record TestCase(String name, Duration time, Status status, String message, String type, List<String> body) {}

    @Override
    public void render(RunReport report, Writer out) throws IOException {
        List<TestCase> cases = testCases(report);
        try {
            XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeCharacters("\n");
            xml.writeStartElement("testsuites");
            String suite = safe(report.runbook());
            counts(xml, suite, cases, report);
            xml.writeCharacters("\n  ");
            xml.writeStartElement("testsuite");
            counts(xml, suite, cases, report);
            xml.writeAttribute("hostname", safe(hostname(report.environment())));
            properties(xml, report.environment());
            for (TestCase c : cases) {
                testCase(xml, "pgrunbook." + suite, c);
            }
            xml.writeCharacters("\n  ");
            xml.writeEndElement();
            xml.writeCharacters("\n");
            xml.writeEndElement();
            xml.writeCharacters("\n");
            xml.writeEndDocument();
            xml.flush();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IOException("cannot write JUnit XML: " + e.getMessage(), e);
        }
        out.flush();
    }

    private static List<TestCase> testCases(RunReport report) {
        List<TestCase> cases = new ArrayList<>();
        for (StepResult step : report.steps()) {
            for (StepResult leaf : step.leaves()) {
                String name = step.stepId()
                        + (step.isFannedOut() ? "[" + (leaf.target() == null ? "" : leaf.target()) + "]" : "")
                        + (step.name() == null || step.name().isBlank() ? "" : ": " + step.name());
                cases.add(new TestCase(name, leaf.duration(), leaf.status(), leaf.message(),
                        leaf.sqlState() == null ? "ERROR" : leaf.sqlState(), body(leaf)));
            }
        }
        if (report.runError() != null || report.interrupted()) {
            String message = report.runError() != null ? report.runError() : "interrupted: the run was cut short";
            cases.add(new TestCase(RUN_TESTCASE, report.duration(), Status.ERROR, message,
                    report.exitCode().name(), TextFormatting.lines(message)));
        }
        return cases;
    }

    private static List<String> body(StepResult leaf) {
        List<String> lines = new ArrayList<>();
        if (leaf.message() != null) {
            lines.addAll(TextFormatting.lines(leaf.message()));
        }
        if (leaf.sqlState() != null) {
            lines.add("sqlstate: " + leaf.sqlState());
        }
        if (leaf.attempts() > 1) {
            lines.add("attempts: " + leaf.attempts());
        }
        lines.addAll(EvidenceTable.lines(leaf.evidence()));
        return lines;
    }

    private static void counts(XMLStreamWriter xml, String name, List<TestCase> cases, RunReport report)
            throws XMLStreamException {
        xml.writeAttribute("name", name);
        xml.writeAttribute("tests", String.valueOf(cases.size()));
        xml.writeAttribute("failures", String.valueOf(count(cases, Status.FAIL)));
        xml.writeAttribute("errors", String.valueOf(count(cases, Status.ERROR)));
        xml.writeAttribute("skipped", String.valueOf(count(cases, Status.SKIP)));
        xml.writeAttribute("time", TextFormatting.seconds(report.duration()));
        if (report.startedAt() != null) {
            xml.writeAttribute("timestamp", TIMESTAMP.format(
                    report.startedAt().truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC)));
        }
    }

    private static long count(List<TestCase> cases, Status status) {
        return cases.stream().filter(c -> c.status() == status).count();
    }

    private static void properties(XMLStreamWriter xml, Map<String, String> environment) throws XMLStreamException {
        if (environment.isEmpty()) {
            return;
        }
        xml.writeCharacters("\n    ");
        xml.writeStartElement("properties");
        for (Map.Entry<String, String> e : new TreeMap<>(environment).entrySet()) {
            xml.writeCharacters("\n      ");
            xml.writeEmptyElement("property");
            xml.writeAttribute("name", safe(e.getKey()));
            xml.writeAttribute("value", safe(e.getValue()));
        }
        xml.writeCharacters("\n    ");
        xml.writeEndElement();
    }

    private static void testCase(XMLStreamWriter xml, String classname, TestCase c) throws XMLStreamException {
        xml.writeCharacters("\n    ");
        xml.writeStartElement("testcase");
        xml.writeAttribute("classname", classname);
        xml.writeAttribute("name", safe(c.name()));
        xml.writeAttribute("time", TextFormatting.seconds(c.time()));
        String message = oneLine(c.message());
        switch (c.status()) {
            case FAIL -> outcome(xml, "failure", message.isEmpty() ? "failed" : message, "FAIL", c.body());
            case ERROR -> outcome(xml, "error", message.isEmpty() ? "error" : message, safe(c.type()), c.body());
            case SKIP -> {
                xml.writeCharacters("\n      ");
                xml.writeEmptyElement("skipped");
                xml.writeAttribute("message", message.isEmpty() ? "skipped" : message);
            }
            case WARN -> {
                xml.writeCharacters("\n      ");
                xml.writeStartElement("system-out");
                xml.writeCharacters(safe("WARN: " + String.join("\n", c.body())));
                xml.writeEndElement();
            }
            case PASS -> {
                xml.writeEndElement();
                return;
            }
        }
        xml.writeCharacters("\n    ");
        xml.writeEndElement();
    }

    private static void outcome(XMLStreamWriter xml, String element, String message, String type, List<String> body)
            throws XMLStreamException {
        xml.writeCharacters("\n      ");
        xml.writeStartElement(element);
        xml.writeAttribute("message", message);
        xml.writeAttribute("type", type);
        xml.writeCharacters(safe(String.join("\n", body)));
        xml.writeEndElement();
    }

    private static String hostname(Map<String, String> environment) {
        for (String key : List.of("host", "hostname")) {
            String v = environment.get(key);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return "localhost";
    }

    // attribute values lose their newlines to whitespace normalisation anyway: make that explicit
    private static String oneLine(String s) {
        return safe(s == null ? "" : s.strip().replaceAll("\\s*[\\r\\n]+\\s*", " "));
    }

    /** Drops what XML 1.0 cannot carry: control characters other than tab, CR, LF; lone surrogates; U+FFFE/F. */
    static String safe(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().filter(JUnitRenderer::legal).forEach(b::appendCodePoint);
        return b.toString();
    }

    private static boolean legal(int cp) {
        return cp == 0x9 || cp == 0xA || cp == 0xD
                || (cp >= 0x20 && cp <= 0xD7FF)
                || (cp >= 0xE000 && cp <= 0xFFFD)
                || (cp >= 0x10000 && cp <= 0x10FFFF);
    }
}
