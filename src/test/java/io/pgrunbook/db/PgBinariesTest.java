package io.pgrunbook.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgrunbook.error.ExitCode;
import io.pgrunbook.error.PgRunbookException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgBinariesTest {

    @Test
    void findsThisMachinesInstallation() {
        PgBinaries binaries = PgBinaries.locate();

        assertThat(binaries.initdb()).isExecutable();
        assertThat(binaries.pgCtl()).isExecutable();
        assertThat(binaries.tool("psql")).isExecutable();
        assertThat(binaries.findTool("pg_dump")).isPresent();
        assertThat(binaries.majorVersion()).isGreaterThanOrEqualTo(10);
    }

    @Test
    void findsTheStandardLocationsWithoutPath() {
        PgBinaries binaries = PgBinaries.locate(Map.of(), PgBinaries.DEFAULT_ROOTS);

        assertThat(binaries.binDirectory().toString()).matches("/usr/(lib/postgresql/\\d+|pgsql-\\d+)/bin");
    }

    @Test
    void followsSymlinksOnPathToTheRealInstallation(@TempDir Path pathDir) throws Exception {
        Path real = PgBinaries.locate(Map.of(), PgBinaries.DEFAULT_ROOTS).binDirectory();
        Files.createSymbolicLink(pathDir.resolve("initdb"), real.resolve("initdb"));
        Files.createSymbolicLink(pathDir.resolve("pg_ctl"), real.resolve("pg_ctl"));

        PgBinaries binaries = PgBinaries.locate(Map.of("PATH", pathDir.toString()), List.of());

        assertThat(binaries.binDirectory()).isEqualTo(real);
    }

    @Test
    void nothingFoundSaysWhereItLookedAndWhatToInstall(@TempDir Path empty) {
        List<PgBinaries.VersionedRoot> roots = List.of(new PgBinaries.VersionedRoot(empty, ""));

        assertThatThrownBy(() -> PgBinaries.locate(Map.of("PATH", empty.toString()), roots))
                .isInstanceOfSatisfying(PgRunbookException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(ExitCode.CANNOT_RUN))
                .hasMessageContaining("need initdb and pg_ctl")
                .hasMessageContaining("PATH [" + empty + "]")
                .hasMessageContaining(empty.resolve("*").resolve("bin").toString())
                .hasMessageContaining("apt-get install -y postgresql")
                .hasMessageContaining("dnf install postgresql-server")
                .hasMessageContaining("PGRUNBOOK_PG_BIN");
    }

    @Test
    void badExplicitDirectoryIsAnErrorNotAFallback(@TempDir Path notABinDir) {
        Map<String, String> env = Map.of("PGRUNBOOK_PG_BIN", notABinDir.toString());

        assertThatThrownBy(() -> PgBinaries.locate(env, PgBinaries.DEFAULT_ROOTS))
                .isInstanceOfSatisfying(PgRunbookException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(ExitCode.CANNOT_RUN))
                .hasMessageContaining("PGRUNBOOK_PG_BIN=" + notABinDir)
                .hasMessageContaining("no executable initdb or pg_ctl")
                .hasMessageContaining("apt-get install -y postgresql");
    }

    @Test
    void missingExplicitDirectoryIsNamed() {
        Map<String, String> env = Map.of("PGRUNBOOK_PG_BIN", "/nonexistent/pg/bin");

        assertThatThrownBy(() -> PgBinaries.locate(env, PgBinaries.DEFAULT_ROOTS))
                .hasMessageContaining("PGRUNBOOK_PG_BIN=/nonexistent/pg/bin")
                .hasMessageContaining("no such directory");
    }

    @Test
    void missingToolSaysWhatToInstall() {
        PgBinaries binaries = PgBinaries.locate();

        assertThat(binaries.findTool("pg_no_such_tool")).isEmpty();
        assertThatThrownBy(() -> binaries.tool("pg_no_such_tool"))
                .isInstanceOf(PgRunbookException.class)
                .hasMessageContaining("pg_no_such_tool not found in " + binaries.binDirectory())
                .hasMessageContaining("postgresql-client");
    }
}
