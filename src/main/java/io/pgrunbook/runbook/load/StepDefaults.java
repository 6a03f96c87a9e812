package io.pgrunbook.runbook.load;

import io.pgrunbook.runbook.OnFailure;
import io.pgrunbook.runbook.RetryPolicy;
import io.pgrunbook.runbook.Severity;
import java.time.Duration;

/**
 * The runbook's {@code defaults:} block, applied to every step that does not say otherwise. The
 * built-in values keep a check from hanging on production: 30 s per statement, 5 s per lock wait.
 */
record StepDefaults(Duration timeout, Duration lockTimeout, Severity severity, OnFailure onFailure, int parallel, RetryPolicy retry) {
    static final StepDefaults BUILT_IN = new StepDefaults(
            Duration.ofSeconds(30), Duration.ofSeconds(5), Severity.CRITICAL, OnFailure.CONTINUE, 4, RetryPolicy.NONE);
}
