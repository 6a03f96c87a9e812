package io.pgrunbook.steps.pitr;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where a drill recovers to: the end of the archive (latest), a time, an LSN, or a named restore point. */
record PitrTarget(Kind kind, String value, Instant time, long lsn) {
    enum Kind { LATEST, TIME, LSN, NAME }

    /** ISO 8601 or PostgreSQL's own text form, with an offset (2026-12-06 07:25:08.18+00); no offset means UTC. */
    private static final DateTimeFormatter TIME_FORMAT = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .optionalStart().appendOffset("+HH:mm", "Z").optionalEnd()
            .optionalStart().appendOffset("+HH", "Z").optionalEnd()
            .parseDefaulting(ChronoField.OFFSET_SECONDS, 0)
            .toFormatter();

    /** How PostgreSQL and pgBackRest read a time target: microseconds and an explicit offset. */
    private static final DateTimeFormatter SERVER_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx");

    static PitrTarget latest() {
        return new PitrTarget(Kind.LATEST, "latest", null, -1);
    }

    static PitrTarget time(String text) {
        try {
            Instant t = OffsetDateTime.parse(text.strip(), TIME_FORMAT).toInstant();
            return new PitrTarget(Kind.TIME, text.strip(), t, -1);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("target_time '" + text + "' is not a timestamp such as 2026-12-06T07:25:08Z or "
                    + "'2026-12-06 07:25:08.184+00'");
        }
    }

    static PitrTarget lsn(String text) {
        return new PitrTarget(Kind.LSN, text.strip(), null, Wal.parseLsn(text));
    }

    static PitrTarget name(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("target_name must not be empty");
        }
        return new PitrTarget(Kind.NAME, text, null, -1);
    }

    /** From a step's parameters: at most one of target_time, target_lsn, target_name; none is latest. */
    static PitrTarget from(Map<String, Object> with) {
        List<String> given = List.of("target_time", "target_lsn", "target_name").stream().filter(k -> with.get(k) != null).toList();
        if (given.size() > 1) {
            throw new IllegalArgumentException("give at most one of target_time, target_lsn, target_name (got " + String.join(", ", given) + ")");
        }
        if (given.isEmpty() || "latest".equals(String.valueOf(with.get(given.get(0))))) {
            return latest();
        }
        String v = String.valueOf(with.get(given.get(0)));
        return switch (given.get(0)) {
            case "target_time" -> time(v);
            case "target_lsn" -> lsn(v);
            default -> name(v);
        };
    }

    /** The server's recovery_target_* settings (with promote at the end); none for latest. */
    Map<String, String> recoverySettings() {
        Map<String, String> s = new LinkedHashMap<>();
        switch (kind) {
            case TIME -> s.put("recovery_target_time", serverTime());
            case LSN -> s.put("recovery_target_lsn", Wal.lsn(lsn));
            case NAME -> s.put("recovery_target_name", value);
            default -> { }
        }
        s.put("recovery_target_action", "promote");
        s.put("recovery_target_timeline", "latest");
        return s;
    }

    /** pgbackrest restore's options for the same target. */
    List<String> pgBackRestOptions() {
        return switch (kind) {
            case TIME -> List.of("--type=time", "--target=" + serverTime(), "--target-action=promote", "--target-timeline=latest");
            case LSN -> List.of("--type=lsn", "--target=" + Wal.lsn(lsn), "--target-action=promote", "--target-timeline=latest");
            case NAME -> List.of("--type=name", "--target=" + value, "--target-action=promote", "--target-timeline=latest");
            default -> List.of("--type=default", "--target-timeline=latest");
        };
    }

    String serverTime() {
        return SERVER_TIME.format(time.atOffset(ZoneOffset.UTC));
    }

    @Override
    public String toString() {
        return kind == Kind.LATEST ? "the end of the archive (latest)" : kind.name().toLowerCase() + " " + value;
    }
}
