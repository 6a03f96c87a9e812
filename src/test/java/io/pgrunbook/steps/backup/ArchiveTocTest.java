package io.pgrunbook.steps.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** pg_restore --list lines as PostgreSQL 15's pg_dump writes them for partitions, read by entry type and catalog identity. */
class ArchiveTocTest {
    static final List<String> LISTING = List.of(
            ";",
            "; Selected TOC Entries:",
            "7; 2615 16569 SCHEMA - app postgres",
            "218; 1259 16583 TABLE app events postgres",
            "223; 1259 16624 TABLE app events_old postgres",
            "229; 1259 16664 TABLE Sales Data Order Lines postgres",
            "230; 1259 16700 TABLE ATTACH x postgres",
            "3305; 0 0 TABLE ATTACH app events_old postgres",
            "3354; 0 0 INDEX ATTACH app events_2025_created_at_idx postgres",
            "3518; 0 16624 TABLE DATA app events_old postgres",
            "3524; 0 16664 TABLE DATA Sales Data Order Lines postgres",
            "3536; 0 0 SEQUENCE SET app audit_log_id_seq postgres");

    @Test
    void tablesAreCatalogRowsAndAttachEntriesAreNot() {
        ArchiveToc.Tables t = ArchiveToc.read(LISTING);
        // 16700 is a table in a schema named ATTACH: its entry is a pg_class row, so it is a table.
        assertThat(t.tables()).containsOnlyKeys(16583L, 16624L, 16664L, 16700L);
        assertThat(t.tables().get(16664L)).isEqualTo("Sales Data Order Lines postgres");
        assertThat(t.dataIdToOid()).containsEntry(3518L, 16624L).containsEntry(3524L, 16664L).hasSize(2);
    }

    @Test
    void anOlderManifestsMisreadAttachEntryIsRecognisedAndARealTableIsNot() {
        assertThat(ArchiveToc.misreadAttach(new BackupManifest.TableEntry("ATTACH", "public events_old", 0, null))).isTrue();
        assertThat(ArchiveToc.misreadAttach(new BackupManifest.TableEntry("ATTACH", "x", 0, null))).isFalse();
        assertThat(ArchiveToc.misreadAttach(new BackupManifest.TableEntry("ATTACH", "two words", 5, "dump/1.dat.gz"))).isFalse();
    }
}
