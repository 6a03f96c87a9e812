package io.pgrunbook.steps.backup;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Foreign keys from a table in a table-subset backup to a table outside it (pagila's payment
 * partitions reference customer, rental and staff). pg_dump -t dumps them with the table, and a
 * restore into a database that has the referenced tables needs them; the drill's empty scratch
 * database has not, so the manifest records them under their own kind, the drill leaves exactly
 * those out of its restore (pg_restore --use-list) and says so, and everything else is compared.
 */
final class OutsideForeignKeys {
    static final String KIND = "foreign key to a table outside the backup";

    private OutsideForeignKeys() {}

    /**
     * The manifest's objects: (kind, schema, table, name) rows of dumped tables, with the foreign
     * keys ((schema, table, name, referenced schema, referenced table) rows) whose referenced table
     * was not dumped recorded as {@link #KIND} instead of "constraint".
     */
    static List<String> objects(List<String[]> objects, List<String[]> foreignKeys, Set<String> dumped) {
        Set<String> outside = new HashSet<>();
        for (String[] fk : foreignKeys) {
            if (dumped.contains(fk[0] + "." + fk[1]) && !dumped.contains(fk[3] + "." + fk[4])) {
                outside.add(fk[0] + "." + fk[1] + "." + fk[2]);
            }
        }
        List<String> out = new ArrayList<>();
        for (String[] r : objects) {
            if (!dumped.contains(r[1] + "." + r[2])) {
                continue;
            }
            String object = r[1] + "." + r[2] + (r[0].startsWith("row level security") ? "" : "." + r[3]);
            out.add((r[0].equals("constraint") && outside.contains(object) ? KIND : r[0]) + " " + object);
        }
        return out.stream().sorted().toList();
    }

    /** The manifest's outside foreign keys as "schema.table.name", or none. */
    static Set<String> recorded(BackupManifest manifest) {
        Set<String> out = new HashSet<>();
        if (manifest.objects() != null) {
            manifest.objects().stream().filter(o -> o.startsWith(KIND + " ")).forEach(o -> out.add(o.substring(KIND.length() + 1)));
        }
        return out;
    }

    /**
     * pg_restore --list output without the FK CONSTRAINT entries of these keys: a TOC line names one
     * as "FK CONSTRAINT schema table name owner".
     */
    static List<String> useList(List<String> toc, Set<String> outside, List<BackupManifest.TableEntry> tables) {
        Set<String> prefixes = new HashSet<>();
        for (BackupManifest.TableEntry t : tables) {
            for (String key : outside) {
                if (key.startsWith(t.qualified() + ".")) {
                    prefixes.add("FK CONSTRAINT " + t.schema() + " " + t.name() + " " + key.substring(t.qualified().length() + 1) + " ");
                }
            }
        }
        return toc.stream().filter(line -> ArchiveToc.parse(line)
                .map(e -> prefixes.stream().noneMatch(p -> e.rest().startsWith(p))).orElse(true)).toList();
    }
}
