package io.pgrunbook.runbook;

/** One key a step type accepts under {@code with:}. */
public record ParamSpec(String name, ValueKind kind, boolean required, String description) {
    public static ParamSpec required(String name, ValueKind kind, String description) {
        return new ParamSpec(name, kind, true, description);
    }

    public static ParamSpec optional(String name, ValueKind kind, String description) {
        return new ParamSpec(name, kind, false, description);
    }
}
