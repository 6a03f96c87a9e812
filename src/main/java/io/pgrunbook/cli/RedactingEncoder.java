package io.pgrunbook.cli;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.pgrunbook.error.Redactor;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The log encoder: every line, from pgrunbook or a library (HikariCP's -v debug output prints its
 * whole configuration, application name included), passes through the run's {@link Redactor}
 * before it is written, so a secret the run knows of, or that reads like one, is masked.
 */
public final class RedactingEncoder extends PatternLayoutEncoder {
    /** The run's redactor; logging is process-wide, so the run installs its own here. */
    private static volatile Redactor redactor = new Redactor();

    static void use(Redactor runRedactor) {
        redactor = runRedactor;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        Charset charset = getCharset() == null ? StandardCharsets.UTF_8 : getCharset();
        String line = new String(super.encode(event), charset);
        return redactor.redact(line).getBytes(charset);
    }
}
