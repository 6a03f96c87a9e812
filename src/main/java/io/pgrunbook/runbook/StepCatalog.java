package io.pgrunbook.runbook;

import java.util.Collection;
import java.util.Optional;

/** The step types a loader accepts; the engine's registry implements it. */
public interface StepCatalog {
    Optional<? extends StepKind> find(String type);

    Collection<String> names();
}
