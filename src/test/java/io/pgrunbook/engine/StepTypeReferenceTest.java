package io.pgrunbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgrunbook.runbook.ParamSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/step-types.md and the per-type part of docs/runbook.schema.json are what the code generates;
 * with -Dtypes.regenerate=true the test rewrites them first.
 */
class StepTypeReferenceTest {
    static final Path DOC = Path.of("docs/step-types.md");
    static final Path SCHEMA = Path.of("docs/runbook.schema.json");
    static final String HOW = "run mvn -q -B test -Dtest=StepTypeReferenceTest -Dtypes.regenerate=true";

    @Test
    void referenceIsUpToDate() throws Exception {
        String generated = StepTypeReference.markdown(StepRegistry.load());
        if (Boolean.getBoolean("types.regenerate")) {
            Files.writeString(DOC, generated, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(DOC, StandardCharsets.UTF_8)).as("docs/step-types.md is stale: " + HOW).isEqualTo(generated);
    }

    @Test
    void schemaIsUpToDate() throws Exception {
        JsonNode current = new ObjectMapper().readTree(Files.readString(SCHEMA, StandardCharsets.UTF_8));
        String generated = StepTypeSchema.render(StepTypeSchema.regenerate(current, StepRegistry.load()));
        if (Boolean.getBoolean("types.regenerate")) {
            Files.writeString(SCHEMA, generated, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(SCHEMA, StandardCharsets.UTF_8)).as("docs/runbook.schema.json is stale: " + HOW).isEqualTo(generated);
    }

    @Test
    void everyTypeAndEveryKeyIsDocumented() {
        StepRegistry registry = StepRegistry.load();
        String md = StepTypeReference.markdown(registry);
        for (StepType t : registry.all()) {
            assertThat(md).contains("[`" + t.name() + "`]");
            String text = StepTypeReference.text(t);
            for (ParamSpec p : t.parameters()) {
                assertThat(p.description()).as(t.name() + " key " + p.name() + " has a meaning").isNotBlank();
                assertThat(text).contains("  " + p.name());
                if (!StepTypeReference.isCheck(t)) {
                    assertThat(md).contains("| `" + p.name() + "` |");
                }
            }
        }
    }
}
