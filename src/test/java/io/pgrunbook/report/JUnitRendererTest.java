package io.pgrunbook.report;

import static io.pgrunbook.report.ReportFixtures.evidence;
import static io.pgrunbook.report.ReportFixtures.run;
import static io.pgrunbook.report.ReportFixtures.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.pgrunbook.error.ExitCode;
import io.pgrunbook.runbook.Severity;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class JUnitRendererTest {
    private static final String NASTY = "a < b && c > \"d\" ' \u0001\u0007\u001b\u0000 \ud83d\udc18 Größe \ud800 ]]>";

    static List<RunReport> reports() {
        return List.of(
                ReportFixtures.everyStatus(),
                ReportFixtures.allPass(),
                run().build(),
                run().runError("cannot connect: " + NASTY, ExitCode.CANNOT_RUN).environment("user", NASTY).build(),
                nasty());
    }

    /** Every status, a fan-out, a run error, and XML-hostile text everywhere a string can go. */
    private static RunReport nasty() {
        return run(
                step("s<1>", Status.FAIL).name(NASTY).message(NASTY + "\nsecond line")
                        .evidence(evidence(NASTY, NASTY, List.of("col&1", NASTY), 4, List.of(NASTY, 1), List.of(true, List.of("x", NASTY))))
                        .build(),
                step("s2", Status.ERROR).sqlState("\u0001").message(NASTY).build(),
                step("s3", Status.SKIP).message(NASTY).build(),
                step("s4", Status.WARN).severity(Severity.WARNING).message(NASTY).build(),
                step("s5", Status.PASS).message(NASTY).build(),
                step("fan", Status.ERROR).target(null).children(
                        step("fan", Status.PASS).target("shard-\"0\"").build(),
                        step("fan", Status.ERROR).target(NASTY).message(NASTY).build())
                        .build())
                .runbook("run&book <" + NASTY + ">")
                .runError(NASTY, ExitCode.INTERRUPTED).interrupted()
                .build();
    }

    private static String xml(RunReport report) {
        return Rendering.render(ReportFormat.JUNIT, report);
    }

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Element> elements(Document doc, String name) {
        NodeList nodes = doc.getElementsByTagName(name);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add((Element) nodes.item(i));
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("reports")
    void validatesAgainstTheSchemaCiReadersFollow(RunReport report) throws Exception {
        SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        Schema schema = factory.newSchema(getClass().getResource("/junit.xsd"));
        String xml = xml(report);
        assertThatCode(() -> schema.newValidator().validate(new StreamSource(new StringReader(xml))))
                .as(xml).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @MethodSource("reports")
    void countsMatchTheTestcases(RunReport report) throws Exception {
        Document doc = parse(xml(report));
        List<Element> cases = elements(doc, "testcase");
        for (String container : List.of("testsuites", "testsuite")) {
            Element e = elements(doc, container).get(0);
            assertThat(e.getAttribute("tests")).isEqualTo(String.valueOf(cases.size()));
            assertThat(e.getAttribute("failures")).isEqualTo(String.valueOf(elements(doc, "failure").size()));
            assertThat(e.getAttribute("errors")).isEqualTo(String.valueOf(elements(doc, "error").size()));
            assertThat(e.getAttribute("skipped")).isEqualTo(String.valueOf(elements(doc, "skipped").size()));
        }
    }

    @Test
    void oneTestcasePerStepAndPerTargetOfAFannedOutStep() throws Exception {
        Document doc = parse(xml(ReportFixtures.everyStatus()));
        assertThat(elements(doc, "testcase")).extracting(e -> e.getAttribute("name")).containsExactly(
                "hash-distributed: Tables are hash-distributed", "dead-tuples: dead-tuples",
                "no-reference-tables: No reference tables", "replication-lag: replication-lag",
                "ttl-backlog: ttl-backlog", "shard-counts[shard-0]: Row counts match",
                "shard-counts[shard-1]: Row counts match");
        assertThat(elements(doc, "testcase")).allSatisfy(
                e -> assertThat(e.getAttribute("classname")).isEqualTo("pgrunbook.storage-shard-validation"));
        assertThat(elements(doc, "testcase").get(0).getAttribute("time")).isEqualTo("0.012");
    }

    @Test
    void outcomesCarryTheirEvidenceAndWarningsPass() throws Exception {
        Document doc = parse(xml(ReportFixtures.everyStatus()));
        Element failure = elements(doc, "failure").get(0);
        assertThat(failure.getAttribute("type")).isEqualTo("FAIL");
        assertThat(failure.getAttribute("message")).isEqualTo("2 reference tables");
        assertThat(failure.getTextContent()).contains("expected: value = 0", "observed: value = 5",
                "ext_storage_records", "... and 3 more rows");
        Element error = elements(doc, "error").get(0);
        assertThat(error.getAttribute("type")).isEqualTo("57014");
        assertThat(error.getTextContent()).contains("attempts: 3");
        Element warn = (Element) elements(doc, "testcase").get(1);
        assertThat(warn.getElementsByTagName("failure").getLength()).isZero();
        assertThat(warn.getElementsByTagName("system-out").item(0).getTextContent())
                .startsWith("WARN: 1 table above threshold").contains("n_dead_tup < 100000");
        assertThat(elements(doc, "skipped").get(0).getAttribute("message")).isEqualTo("skipped: depends on replication-lag");
    }

    @Test
    void environmentBecomesProperties() throws Exception {
        Document doc = parse(xml(ReportFixtures.everyStatus()));
        assertThat(elements(doc, "property")).extracting(e -> e.getAttribute("name") + "=" + e.getAttribute("value"))
                .containsExactly("host=db-ops-1", "java_version=17.0.15", "tool_version=0.1.0");
        Element suite = elements(doc, "testsuite").get(0);
        assertThat(suite.getAttribute("hostname")).isEqualTo("db-ops-1");
        assertThat(suite.getAttribute("timestamp")).isEqualTo("2025-03-01T02:00:00");
        assertThat(suite.getAttribute("time")).isEqualTo("0.84");
    }

    @Test
    void runErrorBecomesAnErroredTestcase() throws Exception {
        Document doc = parse(xml(run().runError("lock held by pid 4242", ExitCode.CANNOT_RUN).build()));
        Element testcase = elements(doc, "testcase").get(0);
        assertThat(testcase.getAttribute("name")).isEqualTo("pgrunbook.run");
        Element error = (Element) testcase.getElementsByTagName("error").item(0);
        assertThat(error.getAttribute("type")).isEqualTo("CANNOT_RUN");
        assertThat(error.getAttribute("message")).isEqualTo("lock held by pid 4242");
    }

    @Test
    void hostileTextSurvivesExceptWhatXmlCannotCarry() throws Exception {
        Document doc = parse(xml(nasty()));
        String clean = "a < b && c > \"d\" '  \ud83d\udc18 Größe  ]]>";
        Element first = elements(doc, "testcase").get(0);
        assertThat(first.getAttribute("name")).isEqualTo("s<1>: " + clean);
        Element failure = (Element) first.getElementsByTagName("failure").item(0);
        assertThat(failure.getAttribute("message")).isEqualTo(clean + " second line");
        assertThat(failure.getTextContent()).contains(clean + "\nsecond line", "col&1");
        assertThat(elements(doc, "testsuite").get(0).getAttribute("name")).isEqualTo("run&book <" + clean + ">");
    }
}
