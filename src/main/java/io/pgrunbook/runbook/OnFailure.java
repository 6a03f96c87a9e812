package io.pgrunbook.runbook;

/** What the run does after a step fails or errors. */
public enum OnFailure {
    /** Go on with the next step: a checklist reports every item. */
    CONTINUE,
    /** Skip the remaining steps. */
    STOP
}
