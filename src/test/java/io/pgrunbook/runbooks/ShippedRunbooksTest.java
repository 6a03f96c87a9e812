package io.pgrunbook.runbooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.runbook.RunbookInvalidException;
import io.pgrunbook.runbook.expect.CompareOp;
import io.pgrunbook.runbook.load.LoaderKeys;
import io.pgrunbook.runbook.load.RunbookLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Every shipped runbook loads and validates against docs/runbook.schema.json; the schema and the
 * loader accept the same keys; the examples in docs/runbook-format.md are valid runbooks.
 */
class ShippedRunbooksTest {
    static final Path RUNBOOKS = Path.of("runbooks");
    static final Path SCHEMA = Path.of("docs/runbook.schema.json");
    static final Path FORMAT_DOC = Path.of("docs/runbook-format.md");
    static final String MODELINE = "# yaml-language-server: $schema=";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode schemaTree;
    private static JsonSchema schema;

    @BeforeAll
    static void readSchema() throws IOException {
        schemaTree = JSON.readTree(Files.readString(SCHEMA, StandardCharsets.UTF_8));
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(schemaTree);
    }

    static List<Path> shippedRunbooks() throws IOException {
        try (Stream<Path> files = Files.walk(RUNBOOKS)) {
            return files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    static Set<ValidationMessage> validate(String yaml) {
        Object tree = yaml12().load(yaml);
        return schema.validate(JSON.valueToTree(tree));
    }

    /**
     * Reads YAML as editors do (YAML 1.2 core schema): only true/false are booleans, so a key such
     * as retries' {@code on} stays the string "on" (YAML 1.1 would make it the boolean true), and
     * timestamps stay strings. The loader also reads keys as written.
     */
    static Yaml yaml12() {
        Resolver resolver = new Resolver() {
            @Override
            protected void addImplicitResolvers() {
                addImplicitResolver(Tag.BOOL, Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF");
                addImplicitResolver(Tag.INT, INT, "-+0123456789");
                addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.");
                addImplicitResolver(Tag.MERGE, MERGE, "<");
                addImplicitResolver(Tag.NULL, NULL, "~nN\0");
                addImplicitResolver(Tag.NULL, EMPTY, null);
            }
        };
        LoaderOptions options = new LoaderOptions();
        return new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()), new DumperOptions(), options, resolver);
    }

    static void loads(String yaml, String name) {
        new RunbookLoader(StepRegistry.load()).parse(yaml, name, Map.of(), Map.of());
    }

    @Test
    void thereAreShippedRunbooks() throws IOException {
        assertThat(shippedRunbooks()).contains(RUNBOOKS.resolve("health.yaml"));
    }

    @TestFactory
    Stream<DynamicTest> everyShippedRunbookLoadsAndMatchesTheSchema() throws IOException {
        return shippedRunbooks().stream().map(path -> DynamicTest.dynamicTest(path.toString(), () -> {
            new RunbookLoader(StepRegistry.load()).load(path, Map.of(), Map.of());
            String text = Files.readString(path, StandardCharsets.UTF_8);
            assertThat(validate(text)).as("schema problems in " + path).isEmpty();
            // Editors find the schema through the modeline on the first line, relative to the file.
            String firstLine = text.lines().findFirst().orElse("");
            assertThat(firstLine).startsWith(MODELINE);
            Path target = path.getParent().resolve(firstLine.substring(MODELINE.length()).trim()).normalize();
            assertThat(target).isEqualTo(SCHEMA.normalize());
        }));
    }

    /** The fenced ```yaml blocks of the format reference that are whole runbooks. */
    static List<String> documentedRunbooks() throws IOException {
        String doc = Files.readString(FORMAT_DOC, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            String block = m.group(1);
            if (Pattern.compile("(?m)^name:").matcher(block).find() && Pattern.compile("(?m)^steps:").matcher(block).find()) {
                out.add(block);
            }
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> documentedExampleRunbooksAreValid() throws IOException {
        List<String> examples = documentedRunbooks();
        assertThat(examples).as("whole-runbook examples in " + FORMAT_DOC).isNotEmpty();
        return examples.stream().map(yaml -> DynamicTest.dynamicTest(yaml.lines().filter(l -> l.startsWith("name:")).findFirst().orElseThrow(), () -> {
            loads(yaml, FORMAT_DOC.toString());
            assertThat(validate(yaml)).isEmpty();
        }));
    }

    // ---- drift: the schema accepts exactly the keys the loader accepts -----------------------------

    static Set<String> properties(String jsonPointer) {
        JsonNode node = schemaTree.at(jsonPointer);
        assertThat(node.isObject()).as("schema has an object at " + jsonPointer).isTrue();
        Set<String> keys = new TreeSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        return keys;
    }

    static final Map<String, String> SCHEMA_POINTERS = Map.of(
            "root", "/properties",
            "target", "/properties/targets/additionalProperties/oneOf/2/properties",
            "pool", "/properties/targets/additionalProperties/oneOf/2/properties/pool/properties",
            "defaults", "/properties/defaults/properties",
            "requires", "/properties/requires/properties",
            "step", "/definitions/step/properties",
            "retries", "/definitions/retries/oneOf/1/properties",
            "when", "/definitions/when/properties",
            "expect", "/definitions/expect/properties");

    @Test
    void schemaAndLoaderAcceptTheSameKeys() {
        Map<String, List<String>> loader = LoaderKeys.all();
        assertThat(SCHEMA_POINTERS.keySet()).as("every key list of the loader is checked").isEqualTo(loader.keySet());
        loader.forEach((what, keys) -> assertThat(properties(SCHEMA_POINTERS.get(what)))
                .as("keys of '" + what + "' in the schema (" + SCHEMA_POINTERS.get(what) + ") vs the loader")
                .isEqualTo(new TreeSet<>(keys)));
        assertThat(RunbookLoader.ROOT_KEYS).containsExactlyInAnyOrderElementsOf(properties("/properties"));
    }

    @Test
    void schemaKnowsEveryComparisonTheLoaderDoes() {
        Set<String> schemaOps = properties("/definitions/comparison/properties");
        for (CompareOp op : CompareOp.values()) {
            assertThat(schemaOps).contains(op.word(), op.symbol());
        }
        for (String key : schemaOps) {
            assertThat(CompareOp.parse(key)).as("the loader understands comparison '" + key + "'").isPresent();
        }
    }

    @Test
    void schemaIsStrictWhereTheLoaderIs() {
        for (String pointer : SCHEMA_POINTERS.values()) {
            String parent = pointer.substring(0, pointer.length() - "/properties".length());
            JsonNode p = schemaTree.at(parent.isEmpty() ? "" : parent);
            assertThat(p.path("additionalProperties").asBoolean(true)).as("additionalProperties: false at " + parent).isFalse();
        }
    }

    // ---- negative cases: what the loader refuses, the schema refuses too ----------------------------

    static final String VALID = """
            name: probe
            steps:
              - id: one
                sql: SELECT 1
                expect: { value: 1 }
            """;

    @Test
    void theProbeItselfIsValid() {
        loads(VALID, "probe.yaml");
        assertThat(validate(VALID)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"30s", "5min", "30 seconds", "1 second", "5minutes", "2 Hours", "1 day", "500 milliseconds"})
    void durationsInSettingOrIntervalWordsPassBothTheSchemaAndTheLoader(String duration) {
        String yaml = "name: probe\nsteps:\n  - id: one\n    sql: SELECT 1\n    timeout: " + duration + "\n";
        loads(yaml, "probe.yaml");
        assertThat(validate(yaml)).as(duration).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // unknown root key
        "name: probe\nstepz: []\nsteps:\n  - id: one\n    sql: SELECT 1\n",
        // unknown step key (a near miss of expect)
        "name: probe\nsteps:\n  - id: one\n    sql: SELECT 1\n    expects: { value: 1 }\n",
        // unknown expect key
        "name: probe\nsteps:\n  - id: one\n    sql: SELECT 1\n    expect: { value: 1, maxrows: 3 }\n",
        // unknown comparison
        "name: probe\nsteps:\n  - id: one\n    sql: SELECT 1\n    expect: { value: { approx: 1 } }\n",
        // unknown when key
        "name: probe\nsteps:\n  - id: one\n    sql: SELECT 1\n    when: { extensions: citus }\n",
        // unknown retries key
        "name: probe\nsteps:\n  - id: one\n    sql: SELECT 1\n    retries: { count: 2, delay: 1s }\n",
        // unknown defaults key
        "name: probe\ndefaults: { statement_timeout: 1s }\nsteps:\n  - id: one\n    sql: SELECT 1\n",
        // bad severity, bad on_failure, bad duration
        "name: probe\nsteps:\n  - id: one\n    sql: SELECT 1\n    severity: fatal\n",
        "name: probe\nsteps:\n  - id: one\n    sql: SELECT 1\n    on_failure: abort\n",
        "name: probe\nsteps:\n  - id: one\n    sql: SELECT 1\n    timeout: 1 hour 30 minutes\n",
        "name: probe\nsteps:\n  - id: one\n    sql: SELECT 1\n    timeout: 30 secondz\n",
        // ${...} spliced into SQL
        "name: probe\nvars: { t: x }\nsteps:\n  - id: one\n    sql: SELECT * FROM ${t}\n",
        // a password in the runbook
        "name: probe\ntargets:\n  db: postgres://app:secret@db1/app\nsteps:\n  - id: one\n    sql: SELECT 1\n",
        "name: probe\ntargets:\n  db: { url: 'host=db1 dbname=app password=secret' }\nsteps:\n  - id: one\n    sql: SELECT 1\n",
        // bad names and ids
        "name: my probe\nsteps:\n  - id: one\n    sql: SELECT 1\n",
        "name: probe\nsteps:\n  - id: 'one two'\n    sql: SELECT 1\n",
        // no steps; a step without id; a sql step without sql; expect with nothing to check
        "name: probe\nsteps: []\n",
        "name: probe\nsteps:\n  - sql: SELECT 1\n",
        "name: probe\nsteps:\n  - id: one\n    expect: { rows: 0 }\n",
        "name: probe\nsteps:\n  - id: one\n    sql: SELECT 1\n    expect: { max_rows: 5 }\n",
        // target and targets together; sql.exec with an unknown with: key
        "name: probe\ntargets: { a: null, b: null }\nsteps:\n  - id: one\n    sql: SELECT 1\n    target: a\n    targets: [a, b]\n",
        "name: probe\nsteps:\n  - id: one\n    type: sql.exec\n    sql: VACUUM\n    with: { transactional: false }\n",
    })
    void invalidRunbooksFailBothTheSchemaAndTheLoader(String yaml) {
        assertThat(validate(yaml)).as("schema accepts:\n" + yaml).isNotEmpty();
        assertThatThrownBy(() -> loads(yaml, "bad.yaml")).as("loader accepts:\n" + yaml)
                .isInstanceOf(RunbookInvalidException.class);
    }

    @Test
    void unknownKeyIsNamedBySchemaValidation() {
        Set<ValidationMessage> problems = validate(VALID.replace("name: probe", "name: probe\ntimeout: 5s"));
        assertThat(problems).extracting(ValidationMessage::getMessage).anyMatch(m -> m.contains("timeout"));
    }
}
