package io.pgrunbook.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** -v turns on debug logging (stderr); otherwise only warnings, and the pool's chatter is silenced. */
final class Logging {
    private Logging() {}

    static void configure(boolean verbose) {
        level("ROOT", verbose ? Level.INFO : Level.WARN);
        level("io.pgrunbook", verbose ? Level.DEBUG : Level.WARN);
        // HikariCP logs connect failures with stack traces; we report them ourselves, once, clearly.
        level("com.zaxxer.hikari", verbose ? Level.DEBUG : Level.OFF);
        java.util.logging.Logger.getLogger("org.postgresql").setLevel(verbose ? java.util.logging.Level.FINE : java.util.logging.Level.OFF);
    }

    private static void level(String name, Level level) {
        ((Logger) LoggerFactory.getLogger(name)).setLevel(level);
    }
}
