package io.pgrunbook.runbook.load;

import java.util.List;
import java.util.Map;

/**
 * Test-only window on the key lists the loader accepts (most are package-private), so that the JSON
 * Schema for editors can be checked against the loader itself: adding a key to one and not the other
 * fails {@code io.pgrunbook.runbooks.ShippedRunbooksTest}.
 */
public final class LoaderKeys {
    private LoaderKeys() {}

    /** Each mapping of the format, by a name the schema test uses, with the keys the loader accepts. */
    public static Map<String, List<String>> all() {
        return Map.of(
                "root", RunbookLoader.ROOT_KEYS,
                "target", RunbookLoader.TARGET_KEYS,
                "pool", RunbookLoader.POOL_KEYS,
                "defaults", RunbookLoader.DEFAULT_KEYS,
                "requires", RunbookLoader.REQUIRES_KEYS,
                "step", StepParser.KEYS,
                "retries", StepParser.RETRY_KEYS,
                "when", StepParser.WHEN_KEYS,
                "expect", ExpectationParser.KEYS);
    }
}
