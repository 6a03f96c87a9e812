package io.pgrunbook.runbook.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.RunbookInvalidException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A subcommand's built-in runbook, given as a tree, goes through the same strict loader as a file. */
class RunbookTreeTest {
    private static final RunbookLoader LOADER = new RunbookLoader(StepRegistry.load());

    @Test
    void aTreeLoadsLikeTheSameYaml() {
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("id", "count");
        step.put("sql", "SELECT count(*) FROM t WHERE name = :who -- it's: a 'quote'");
        step.put("expect", Map.of("value", Map.of("ge", 1)));
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("name", "built-in");
        tree.put("vars", Map.of("who", "O'Brien: ${not-expanded-in-sql}"));
        tree.put("steps", List.of(step));

        Runbook fromTree = LOADER.parseTree(tree, "built-in", Map.of(), Map.of());
        assertThat(fromTree.steps().get(0).sql().text()).isEqualTo("SELECT count(*) FROM t WHERE name = :who -- it's: a 'quote'");
        assertThat(fromTree.steps().get(0).sql().parameters()).containsExactly("who");
        assertThat(fromTree.vars().get("who")).as("option values are literal").isEqualTo("O'Brien: ${not-expanded-in-sql}");
        assertThat(fromTree.source()).isEqualTo("built-in");
    }

    @Test
    void aBadTreeIsRefusedWithTheSameMessages() {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("name", "built-in");
        tree.put("steps", List.of(Map.of("id", "x", "sql", "SELECT 1", "timeout", "soon")));
        RunbookInvalidException e = catchThrowableOfType(() -> LOADER.parseTree(tree, "built-in", Map.of(), Map.of()),
                RunbookInvalidException.class);
        assertThat(e.getMessage()).contains("timeout must be a duration");
    }
}
