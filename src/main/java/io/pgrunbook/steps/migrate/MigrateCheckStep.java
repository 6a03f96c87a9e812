package io.pgrunbook.steps.migrate;

import java.util.Set;

/** {@code type: migrate.check}: status, validate and lint of a migrations directory; reads only, needs no confirmation. */
public final class MigrateCheckStep extends MigrateStep {
    @Override
    public String name() {
        return "migrate.check";
    }

    @Override
    public String summary() {
        return "status, validate (drift) or lint of versioned migrations; reads only";
    }

    @Override
    public boolean writes() {
        return false;
    }

    @Override
    Set<String> actions() {
        return READING_ACTIONS;
    }
}
