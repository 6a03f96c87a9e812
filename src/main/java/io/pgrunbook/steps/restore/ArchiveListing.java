package io.pgrunbook.steps.restore;

import io.pgrunbook.steps.backup.PgTool;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An archive's table of contents as {@code pg_restore --list} prints it: which roles own its
 * objects, and the data entries of given tables and sequences, for a list file (-L) that restores
 * exactly those.
 */
final class ArchiveListing {
    /** "3347; 0 16394 TABLE DATA public t app": id, type, "schema name", owner (the last word). */
    private static final Pattern DATA = Pattern.compile("^(\\d+); \\d+ \\d+ (TABLE DATA|SEQUENCE SET) (.+) (\\S+)$");
    private static final Pattern ENTRY = Pattern.compile("^\\d+; \\d+ \\d+ .* (\\S+)$");

    private final List<String> lines;

    private ArchiveListing(List<String> lines) {
        this.lines = lines;
    }

    static ArchiveListing read(PgTool pgRestore, Path archive) throws IOException, InterruptedException {
        Path log = Files.createTempFile("pgrunbook-toc-", ".log");
        try {
            return new ArchiveListing(pgRestore.read(List.of("--list", archive.toString()), log,
                    in -> new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList()));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Every role that owns an object in the archive; restoring with owners needs each of them. */
    Set<String> owners() {
        Set<String> out = new TreeSet<>();
        for (String line : lines) {
            Matcher m = ENTRY.matcher(line);
            if (!line.startsWith(";") && m.matches() && !m.group(1).equals("-")) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** Data entries sorted by the given table order (sequence values last, where pg_dump puts them too). */
    static List<String> inOrder(List<String> entries, List<String> tableOrder) {
        List<String> out = new ArrayList<>(entries);
        out.sort(java.util.Comparator.comparingInt(line -> {
            Matcher m = DATA.matcher(line);
            if (!m.matches() || m.group(2).equals("SEQUENCE SET")) {
                return Integer.MAX_VALUE;
            }
            int at = tableOrder.indexOf(m.group(3).replaceFirst(" ", "."));
            return at < 0 ? Integer.MAX_VALUE - 1 : at;
        }));
        return out;
    }

    /**
     * The list-file lines for the data of these tables ("schema.name") and the values of these
     * sequences, in archive order; tables without a data entry are left out.
     */
    List<String> dataEntries(Set<String> tables, Set<String> sequences) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            Matcher m = DATA.matcher(line);
            if (m.matches()) {
                String qualified = m.group(3).replaceFirst(" ", ".");
                if ((m.group(2).equals("TABLE DATA") ? tables : sequences).contains(qualified)) {
                    out.add(line);
                }
            }
        }
        return out;
    }
}
