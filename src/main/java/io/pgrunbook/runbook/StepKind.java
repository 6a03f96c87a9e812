package io.pgrunbook.runbook;

import java.util.List;

/** What the loader needs to know about a step type to validate a step of that type. */
public interface StepKind {

    /** Whether a step of this type takes the {@code sql} key. */
    enum SqlUse { REQUIRED, OPTIONAL, NONE }

    /** The name used in {@code type:}, e.g. {@code sql} or {@code citus.distribution}. */
    String name();

    /** One line for --help, plans and docs. */
    String summary();

    /** True when the step changes the database: it is shown in plans and needs confirmation. */
    boolean writes();

    SqlUse sqlUse();

    /** Whether {@code expect} applies to what this step type returns. */
    default boolean acceptsExpect() {
        return true;
    }

    /** The keys accepted under {@code with:}. */
    List<ParamSpec> parameters();

    /**
     * Checks beyond keys and types (two parameters that exclude each other, target names given as
     * parameters); report each problem at {@code step.location()}.
     *
     * @param targetNames the runbook's targets
     */
    default void validate(Step step, java.util.Set<String> targetNames, Problems problems) {}
}
