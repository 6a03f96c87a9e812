package io.pgrunbook.runbook.load;

import io.pgrunbook.runbook.Problems;
import io.pgrunbook.runbook.SourceLocation;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.parser.Parser;

/**
 * What a runbook file may cost before it is read: its size (checked before parsing), valid UTF-8,
 * and in one streaming pass over its YAML events the number of aliases, aliases to a collection
 * still open (recursion) and the nesting depth. Each limit answers in well under a second with a
 * located problem, instead of a parser that runs out of time, memory or stack. The events of that
 * pass are what the composer then reads: scanning is most of the cost of loading a runbook.
 */
final class YamlLimits {
    /** A runbook is a page or two of YAML; the largest shipped one is a few kB. */
    static final int MAX_BYTES = 1 << 20;
    static final int MAX_ALIASES = 200;
    static final int MAX_DEPTH = 40;

    private YamlLimits() {}

    /** Whether a file of this size may be read at all; reports it otherwise. */
    static boolean sizeAllowed(long bytes, String file, Problems problems) {
        if (bytes <= MAX_BYTES) {
            return true;
        }
        problems.add(new SourceLocation(file, 1, 1), String.format(java.util.Locale.ROOT,
                "the file is %.1f MB; a runbook may be at most %d kB: split it, or move data out of it (SQL files, --set)",
                bytes / 1048576.0, MAX_BYTES / 1024));
        return false;
    }

    /** The text of UTF-8 bytes, or empty after reporting where the first invalid byte is. */
    static Optional<String> decode(byte[] bytes, String file, Problems problems) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int offset = in.position();
            String before = new String(bytes, 0, offset, StandardCharsets.UTF_8);
            int line = 1 + (int) before.chars().filter(c -> c == '\n').count();
            int column = before.length() - (before.lastIndexOf('\n') + 1) + 1;
            problems.add(new SourceLocation(file, line, column), String.format(java.util.Locale.ROOT,
                    "invalid UTF-8 (byte 0x%02X at offset %d): a runbook must be UTF-8 text; convert it (iconv -t UTF-8)",
                    bytes[offset] & 0xff, offset));
            return Optional.empty();
        }
        decoder.flush(out);
        out.flip();
        return Optional.of(out.toString());
    }

    /**
     * Streams the YAML events once: too many aliases, an alias to a collection that contains it (which
     * would never end), or nesting deeper than {@link #MAX_DEPTH} is reported where it occurs.
     * Malformed YAML is left to the composer, which reports it with its location.
     *
     * @return the events, for the composer; empty when a limit was exceeded (reported) or the YAML is malformed
     */
    static Optional<Parser> withinLimits(String text, String file, LoaderOptions options, Problems problems) {
        Deque<String> openAnchors = new ArrayDeque<>();
        Set<String> open = new HashSet<>();
        int aliases = 0;
        List<Event> events = new ArrayList<>();
        try {
            for (Event event : new Yaml(options).parse(new StringReader(text))) {
                events.add(event);
                if (event instanceof CollectionStartEvent start) {
                    String anchor = start.getAnchor();
                    openAnchors.push(anchor == null ? "" : anchor);
                    if (anchor != null) {
                        open.add(anchor);
                    }
                    if (openAnchors.size() > MAX_DEPTH) {
                        problems.add(at(file, event.getStartMark()), "nested more than " + MAX_DEPTH
                                + " levels deep: a runbook never needs that; flatten it");
                        return Optional.empty();
                    }
                } else if (event instanceof CollectionEndEvent) {
                    String anchor = openAnchors.pop();
                    if (!anchor.isEmpty() && !openAnchors.contains(anchor)) {
                        open.remove(anchor);
                    }
                } else if (event instanceof AliasEvent alias) {
                    if (open.contains(alias.getAnchor())) {
                        problems.add(at(file, event.getStartMark()), "recursive alias *" + alias.getAnchor()
                                + ": it refers to the collection that contains it, which would never end");
                        return Optional.empty();
                    }
                    if (++aliases > MAX_ALIASES) {
                        problems.add(at(file, event.getStartMark()), "more than " + MAX_ALIASES
                                + " aliases (*name): write the values out, or use vars");
                        return Optional.empty();
                    }
                }
            }
        } catch (YAMLException e) {
            return Optional.empty(); // malformed: the composer reports it, located, parsing the text itself
        }
        return Optional.of(new Replay(events));
    }

    /** The events of one parse, handed to the composer so the text is scanned once, not twice. */
    private static final class Replay implements Parser {
        private final List<Event> events;
        private int next;

        Replay(List<Event> events) {
            this.events = events;
        }

        @Override
        public boolean checkEvent(Event.ID choice) {
            Event event = peekEvent();
            return event != null && event.is(choice);
        }

        @Override
        public Event peekEvent() {
            return next < events.size() ? events.get(next) : null;
        }

        @Override
        public Event getEvent() {
            Event event = peekEvent();
            next++;
            return event;
        }
    }

    private static SourceLocation at(String file, Mark mark) {
        return mark == null ? new SourceLocation(file, 1, 1) : new SourceLocation(file, mark.getLine() + 1, mark.getColumn() + 1);
    }
}
