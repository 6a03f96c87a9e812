package io.pgrunbook.steps.pitr;

import io.pgrunbook.engine.StepType;

/**
 * What the PITR step types share: none writes to the target (backups and drills write files and a
 * throwaway instance of their own), none takes SQL or an expect (each reaches its own verdict).
 */
abstract class PitrStepBase implements StepType {
    @Override
    public boolean writes() {
        return false;
    }

    @Override
    public SqlUse sqlUse() {
        return SqlUse.NONE;
    }

    @Override
    public boolean acceptsExpect() {
        return false;
    }
}
