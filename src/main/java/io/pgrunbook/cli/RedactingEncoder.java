package io.pgrunbook.cli;

import ch.qos.logback.classic.pattern.TargetLengthBasedClassNameAbbreviator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import io.pgrunbook.error.Redactor;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;

/**
 * The log encoder: every line, from pgrunbook or a library (HikariCP's -v debug output prints its
 * whole configuration, application name included), passes through the run's {@link Redactor}
 * before it is written, so a secret the run knows of, or that reads like one, is masked.
 *
 * <p>The line is what the pattern {@code %d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n} (and the
 * exception after it) prints, built by hand: logback's pattern layout compiles its pattern and
 * registers its converters at every start, which cost a run tens of milliseconds before anything
 * was logged; this costs nothing until a line is written.
 */
public final class RedactingEncoder extends EncoderBase<ILoggingEvent> {
    /** The run's redactor; logging is process-wide, so the run installs its own here. */
    private static volatile Redactor redactor = new Redactor();
    private static final int LOGGER_WIDTH = 20;

    private TargetLengthBasedClassNameAbbreviator abbreviator;

    static void use(Redactor runRedactor) {
        redactor = runRedactor;
    }

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(128);
        LocalTime time = LocalTime.ofInstant(Instant.ofEpochMilli(event.getTimeStamp()), ZoneId.systemDefault());
        digits(line, time.getHour(), 2).append(':');
        digits(line, time.getMinute(), 2).append(':');
        digits(line, time.getSecond(), 2).append('.');
        digits(line, time.getNano() / 1_000_000, 3).append(' ');
        String level = event.getLevel().toString();
        line.append(level).append(" ".repeat(Math.max(0, 5 - level.length()))).append(' ');
        line.append(abbreviate(event.getLoggerName())).append(" - ").append(event.getFormattedMessage()).append(System.lineSeparator());
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            line.append(ThrowableProxyUtil.asString(thrown));
        }
        return redactor.redact(line.toString()).getBytes(StandardCharsets.UTF_8);
    }

    private String abbreviate(String logger) {
        if (abbreviator == null) {
            abbreviator = new TargetLengthBasedClassNameAbbreviator(LOGGER_WIDTH);
        }
        return abbreviator.abbreviate(logger);
    }

    private static StringBuilder digits(StringBuilder b, int value, int width) {
        String s = Integer.toString(value);
        return b.append("0".repeat(Math.max(0, width - s.length()))).append(s);
    }
}
