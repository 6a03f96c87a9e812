package io.pgrunbook.steps.backup;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tables of an archive, read from pg_restore --list by entry type. A line is
 * "dumpId; catalogTableOid objectOid TYPE schema name owner", where TYPE may be several words
 * ("TABLE DATA", "TABLE ATTACH", "SEQUENCE OWNED BY") and names may hold spaces, so the text alone
 * is ambiguous: a schema called ATTACH looks like a TABLE ATTACH entry. The catalog identity is not:
 * a table's own entry is a pg_class row ({@link #PG_CLASS}), its rows' entry has catalog 0 and the
 * table's OID, and the entries that only attach a partition or an index have no object at all (0 0).
 */
final class ArchiveToc {
    /** pg_class's OID: the catalog of TABLE entries. */
    static final long PG_CLASS = 1259;
    private static final Pattern LINE = Pattern.compile("^(\\d+); (\\d+) (\\d+) (.*)$");

    /** The table entries (table OID to the TOC's "schema name owner" text) and data entries (dump id to table OID). */
    record Tables(Map<Long, String> tables, Map<Long, Long> dataIdToOid) {}

    private ArchiveToc() {}

    static Tables read(List<String> listing) {
        Map<Long, String> tables = new LinkedHashMap<>();
        Map<Long, Long> data = new LinkedHashMap<>();
        for (String line : listing) {
            parse(line).ifPresent(e -> {
                if (e.isTable()) {
                    tables.put(e.oid(), e.rest().substring("TABLE ".length()));
                } else if (e.isTableData()) {
                    data.put(e.dumpId(), e.oid());
                }
            });
        }
        return new Tables(tables, data);
    }

    /** One TOC line: comments (";") and blank lines are not entries. */
    record Entry(long dumpId, long catalog, long oid, String rest) {
        /** A table's definition (TABLE, never TABLE ATTACH or TABLE DATA, which are not pg_class rows). */
        boolean isTable() {
            return catalog == PG_CLASS && oid != 0 && rest.startsWith("TABLE ");
        }

        /** The rows of the table whose OID this entry carries. */
        boolean isTableData() {
            return catalog == 0 && oid != 0 && rest.startsWith("TABLE DATA ");
        }
    }

    /**
     * A manifest entry that pgrunbook before this parser wrote for pg_restore's TABLE ATTACH lines
     * (schema "ATTACH", the rest of the line as the name, no rows, no data file): not a table, so
     * the drill of such an older backup does not look for it.
     */
    static boolean misreadAttach(BackupManifest.TableEntry t) {
        return t.schema().equals("ATTACH") && t.file() == null && t.rows() == 0 && t.name().contains(" ");
    }

    static Optional<Entry> parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new Entry(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), m.group(4)));
    }
}
