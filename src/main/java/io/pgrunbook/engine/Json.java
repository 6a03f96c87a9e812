package io.pgrunbook.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One JSON reader for step types that parse what the server returns (EXPLAIN plans, Citus metadata).
 * Built on first use, not when a step type is registered: every run registers every step type, and
 * Jackson's first ObjectMapper costs tens of milliseconds of start-up (its date format reads the
 * locale's calendar data), which a run that reads no JSON should not pay.
 */
public final class Json {
    private Json() {}

    private static final class Holder {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /** The shared mapper (thread-safe once configured; it is never reconfigured). */
    public static ObjectMapper mapper() {
        return Holder.MAPPER;
    }

    public static JsonNode readTree(String json) throws JsonProcessingException {
        return mapper().readTree(json);
    }
}
