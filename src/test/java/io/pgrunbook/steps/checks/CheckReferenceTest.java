package io.pgrunbook.steps.checks;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.engine.StepRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/checks.md is what the code generates; -Dchecks.regenerate=true rewrites it. */
class CheckReferenceTest {
    static final Path DOC = Path.of("docs/checks.md");

    @Test
    void referenceIsUpToDate() throws Exception {
        String generated = CheckReference.markdown(StepRegistry.load());
        if (Boolean.getBoolean("checks.regenerate")) {
            Files.writeString(DOC, generated, StandardCharsets.UTF_8);
        }
        assertThat(Files.exists(DOC)).as("docs/checks.md is missing: run mvn -q -B test -Dtest=CheckReferenceTest -Dchecks.regenerate=true").isTrue();
        assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
                .as("docs/checks.md is stale: run mvn -q -B test -Dtest=CheckReferenceTest -Dchecks.regenerate=true")
                .isEqualTo(generated);
    }

    @Test
    void everyCheckIsDocumentedWithItsThresholdsAndRecommendation() {
        String md = CheckReference.markdown(StepRegistry.load());
        assertThat(CheckReference.checks(StepRegistry.load())).hasSizeGreaterThanOrEqualTo(29);
        for (Check c : CheckReference.checks(StepRegistry.load())) {
            assertThat(md).contains("## " + c.name());
            assertThat(c.name()).matches("check\\.[a-z_]+");
            assertThat(c.parameters()).extracting(p -> p.name()).contains("warning", "critical");
            assertThat(c.recommendation()).isNotBlank();
        }
    }
}
