package io.pgrunbook.runbook.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.runbook.RunbookInvalidException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A bad value given with --set is reported against the --set, with where the runbook uses it. */
class SetOverrideProblemsTest {
    static final String RUNBOOK = """
            name: x
            vars:
              long_running: 5 minutes
            steps:
              - id: long
                type: check.long_running
                with: { warning: "${long_running}" }
            """;

    @Test
    void aBadSetValueNamesTheSet() {
        RunbookInvalidException e = catchThrowableOfType(() -> new RunbookLoader(StepRegistry.load())
                .parse(RUNBOOK, "r.yaml", Map.of("long_running", "ten"), Map.of()), RunbookInvalidException.class);
        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.location().toString()).isEqualTo("--set long_running=ten");
            assertThat(p.message()).contains("must be a duration", "got 'ten'", "(the value is used at r.yaml:7:22)");
        });
    }

    @Test
    void theSameMistakeInTheFileStillNamesTheFile() {
        RunbookInvalidException e = catchThrowableOfType(() -> new RunbookLoader(StepRegistry.load())
                .parse(RUNBOOK.replace("5 minutes", "ten"), "r.yaml", Map.of(), Map.of()), RunbookInvalidException.class);
        assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p.location().toString()).isEqualTo("r.yaml:7:22"));
    }
}
