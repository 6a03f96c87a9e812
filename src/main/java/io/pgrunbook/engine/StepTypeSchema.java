package io.pgrunbook.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.StepKind;
import io.pgrunbook.runbook.ValueKind;
import java.util.List;

/**
 * The per-type part of {@code docs/runbook.schema.json}, generated from the step types: for each
 * type, the keys its {@code with:} takes (and nothing else), whether it needs {@code sql:}, so an
 * editor flags a wrong key as the loader would. The rest of the schema is written by hand.
 */
public final class StepTypeSchema {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String DEFAULT_TYPE = "sql";

    private StepTypeSchema() {}

    /** {@code schema} with {@code definitions.step.allOf} and the list of type names regenerated. */
    public static ObjectNode regenerate(JsonNode schema, StepRegistry registry) {
        ObjectNode copy = schema.deepCopy();
        ObjectNode step = (ObjectNode) copy.path("definitions").path("step");
        if (step.isMissingNode() || !step.isObject()) {
            throw new IllegalArgumentException("the schema has no definitions.step object");
        }
        ObjectNode type = (ObjectNode) step.path("properties").path("type");
        type.put("description", "Step type (default sql). sql: a query in a READ ONLY transaction, judged by expect. "
                + "sql.exec: a statement that writes. Every type and its keys: docs/step-types.md or 'pgrunbook types'.");
        ArrayNode names = type.putArray("enum");
        registry.names().forEach(names::add);
        type.remove("examples");
        type.remove("pattern");
        ArrayNode rules = step.putArray("allOf");
        for (StepType t : registry.all()) {
            rules.add(rule(t));
        }
        return copy;
    }

    public static String render(JsonNode schema) {
        try {
            return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(schema) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode rule(StepKind t) {
        ObjectNode rule = NODES.objectNode();
        ObjectNode when = rule.putObject("if");
        when.putObject("properties").putObject("type").put("const", t.name());
        if (!t.name().equals(DEFAULT_TYPE)) {
            when.putArray("required").add("type"); // a step without type: is an sql step
        }
        ObjectNode then = rule.putObject("then");
        ArrayNode forbidden = NODES.arrayNode();
        if (t.sqlUse() == StepKind.SqlUse.REQUIRED) {
            then.putArray("required").add("sql");
        } else if (t.sqlUse() == StepKind.SqlUse.NONE) {
            forbidden.add(notRequired("sql"));
        }
        if (!t.acceptsExpect()) {
            forbidden.add(notRequired("expect"));
        }
        List<ParamSpec> params = t.parameters();
        if (params.isEmpty()) {
            forbidden.add(notRequired("with"));
        } else {
            ObjectNode with = then.putObject("properties").putObject("with");
            with.put("type", "object").put("additionalProperties", false);
            ObjectNode properties = with.putObject("properties");
            ArrayNode required = NODES.arrayNode();
            for (ParamSpec p : params) {
                ObjectNode property = valueSchema(p.kind());
                property.put("description", p.description());
                properties.set(p.name(), property);
                if (p.required()) {
                    required.add(p.name());
                }
            }
            if (!required.isEmpty()) {
                with.set("required", required);
                then.withArray("required").add("with");
            }
        }
        if (!forbidden.isEmpty()) {
            then.set("allOf", forbidden);
        }
        return rule;
    }

    private static ObjectNode notRequired(String key) {
        ObjectNode not = NODES.objectNode();
        not.putObject("not").putArray("required").add(key);
        return not;
    }

    // a value may always be written as a string: "${var}" is expanded when the runbook loads
    private static ObjectNode valueSchema(ValueKind kind) {
        ObjectNode node = NODES.objectNode();
        switch (kind) {
            case STRING -> node.put("type", "string");
            case INTEGER -> types(node, "integer", "string");
            case NUMBER -> types(node, "number", "string");
            case BOOLEAN -> types(node, "boolean", "string");
            case DURATION -> types(node, "string", "integer");
            case STRING_LIST -> types(node, "array", "string");
            case MAP -> types(node, "object", "string");
            case ANY -> { }
        }
        return node;
    }

    private static void types(ObjectNode node, String... types) {
        ArrayNode array = node.putArray("type");
        for (String t : types) {
            array.add(t);
        }
    }
}
