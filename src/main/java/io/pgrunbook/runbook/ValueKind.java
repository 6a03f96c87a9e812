package io.pgrunbook.runbook;

/** The type a step parameter accepts, checked when the runbook loads. */
public enum ValueKind {
    STRING("a string"),
    INTEGER("an integer"),
    NUMBER("a number"),
    BOOLEAN("true or false"),
    DURATION("a duration such as 500ms, 30s, 5min, 1h"),
    STRING_LIST("a list of strings"),
    MAP("a mapping"),
    ANY("any value");

    private final String description;

    ValueKind(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
