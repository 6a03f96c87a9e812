package io.pgrunbook.engine;

import io.pgrunbook.runbook.StepCatalog;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The step types on the class path, found through {@link ServiceLoader}: adding one never edits the engine. */
public final class StepRegistry implements StepCatalog {
    private final Map<String, StepType> types;

    private StepRegistry(Map<String, StepType> types) {
        this.types = Collections.unmodifiableMap(types);
    }

    public static StepRegistry load() {
        Map<String, StepType> types = new TreeMap<>();
        for (StepType type : ServiceLoader.load(StepType.class, StepRegistry.class.getClassLoader())) {
            StepType previous = types.put(type.name(), type);
            if (previous != null) {
                throw new IllegalStateException("two step types are named '" + type.name() + "': "
                        + previous.getClass().getName() + " and " + type.getClass().getName());
            }
        }
        return new StepRegistry(types);
    }

    @Override
    public Optional<StepType> find(String type) {
        return Optional.ofNullable(types.get(type));
    }

    public StepType get(String type) {
        return find(type).orElseThrow(() -> new IllegalStateException("no step type '" + type + "'"));
    }

    @Override
    public Collection<String> names() {
        return types.keySet();
    }

    public Collection<StepType> all() {
        return types.values();
    }
}
