package io.pgrunbook.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgrunbook.error.ExitCode;
import io.pgrunbook.error.PgRunbookException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportFilesTest {
    @TempDir
    Path dir;

    private List<String> filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesTheReportAndLeavesNoTemporaryFileBehind() throws IOException {
        Path json = dir.resolve("report.json");
        Files.writeString(json, "old");
        ReportFiles.write(ReportFixtures.everyStatus(), ReportFormat.JSON, json, RenderOptions.defaults());
        assertThat(Files.readString(json)).startsWith("{").contains("pgrunbook.report/v1");
        assertThat(filesIn(dir)).containsExactly("report.json");
    }

    @Test
    void aRendererThatThrowsLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path json = dir.resolve("report.json");
        Files.writeString(json, "old");
        ReportRenderer halfway = (report, out) -> {
            out.write("{\"half");
            throw new IllegalStateException("renderer bug");
        };
        assertThatThrownBy(() -> ReportFiles.write(ReportFixtures.everyStatus(), halfway, json, "json"))
                .isInstanceOf(PgRunbookException.class)
                .hasMessageContaining(json.toString()).hasMessageContaining("renderer bug")
                .extracting(e -> ((PgRunbookException) e).exitCode()).isEqualTo(ExitCode.CANNOT_RUN);
        assertThat(Files.readString(json)).isEqualTo("old");
        assertThat(filesIn(dir)).containsExactly("report.json");
    }

    @Test
    void aMissingDirectoryIsACannotRunErrorNamingIt() {
        Path path = dir.resolve("no-such-dir").resolve("report.xml");
        assertThatThrownBy(() -> ReportFiles.write(ReportFixtures.everyStatus(), ReportFormat.JUNIT, path, null))
                .isInstanceOf(PgRunbookException.class)
                .hasMessage("cannot write the junit report to " + path + ": directory " + path.getParent() + " does not exist")
                .extracting(e -> ((PgRunbookException) e).exitCode()).isEqualTo(ExitCode.CANNOT_RUN);
    }

    @Test
    void anUnwritableDirectoryGivesTheOsReason() throws IOException {
        Path locked = Files.createDirectory(dir.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        Path path = locked.resolve("report.json");
        // root ignores permissions, so only a non-root run can see the refusal
        if (Files.isWritable(locked)) {
            return;
        }
        assertThatThrownBy(() -> ReportFiles.write(ReportFixtures.everyStatus(), ReportFormat.JSON, path, null))
                .isInstanceOf(PgRunbookException.class)
                .hasMessage("cannot write the json report to " + path + ": permission denied");
    }

    @Test
    void aReplacedFileKeepsItsPermissions() throws IOException {
        Path prom = dir.resolve("pgrunbook.prom");
        Files.writeString(prom, "");
        Files.setPosixFilePermissions(prom, PosixFilePermissions.fromString("rw-r--r--"));
        ReportFiles.write(ReportFixtures.allPass(), ReportFormat.PROMETHEUS, prom, null);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(prom))).isEqualTo("rw-r--r--");
    }

    @Test
    void textFilesAreNeverColoured() throws IOException {
        Path txt = dir.resolve("report.txt");
        ReportFiles.write(ReportFixtures.everyStatus(), ReportFormat.TEXT, txt, new RenderOptions(true, false, null));
        assertThat(Files.readString(txt)).contains("FAIL").doesNotContain("\u001b");
    }

    @Test
    void lastSuccessIsCarriedForwardFromTheFileAcrossAFailedRun() throws IOException {
        Path prom = dir.resolve("pgrunbook.prom");
        ReportFiles.write(ReportFixtures.allPass(), ReportFormat.PROMETHEUS, prom, null);
        String line = "pgrunbook_last_success_timestamp_seconds{runbook=\"storage-shard-validation\"} 1740794400.84";
        assertThat(Files.readString(prom)).contains(line);

        ReportFiles.write(ReportFixtures.everyStatus(), ReportFormat.PROMETHEUS, prom, null);
        assertThat(Files.readString(prom)).contains(line).contains("pgrunbook_run_exit_code{runbook=\"storage-shard-validation\"} 1");
    }

    @Test
    void anotherRunbooksLastSuccessIsNotBorrowed() throws IOException {
        Path prom = dir.resolve("pgrunbook.prom");
        Files.writeString(prom, "pgrunbook_last_success_timestamp_seconds{runbook=\"other\"} 1700000000\n");
        ReportFiles.write(ReportFixtures.everyStatus(), ReportFormat.PROMETHEUS, prom, null);
        assertThat(Files.readString(prom)).doesNotContain("pgrunbook_last_success_timestamp_seconds");
    }

    @Test
    void aGarbledMetricsFileIsIgnoredNotFatal() throws IOException {
        Path prom = dir.resolve("pgrunbook.prom");
        Files.write(prom, new byte[] {(byte) 0xff, (byte) 0xfe, '\n'});
        Files.writeString(prom, String.join("\n",
                "pgrunbook_last_success_timestamp_seconds{runbook=\"storage-shard-validation\"} not-a-number",
                "pgrunbook_last_success_timestamp_seconds{runbook=\"storage-shard-validation\" 17",
                "pgrunbook_last_success_timestamp_seconds{runbook=\"storage-shard-validation\"} NaN",
                "pgrunbook_last_success_timestamp_seconds{runbook=",
                "\u0000\u0000garbage"), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        ReportFiles.write(ReportFixtures.everyStatus(), ReportFormat.PROMETHEUS, prom, null);
        assertThat(Files.readString(prom)).startsWith("# HELP").doesNotContain("pgrunbook_last_success_timestamp_seconds");
    }

    @Test
    void readsBackEscapedRunbookNames() throws IOException {
        Path prom = dir.resolve("pgrunbook.prom");
        RunReport ok = ReportFixtures.run(ReportFixtures.step("a", Status.PASS).build()).runbook("odd \"name\"\\\n").build();
        ReportFiles.write(ok, ReportFormat.PROMETHEUS, prom, null);
        assertThat(ReportFiles.readLastSuccess(prom, "odd \"name\"\\\n")).isEqualTo(Instant.parse("2025-03-01T02:00:00.840Z"));
    }

    @Test
    void parsesFormatEqualsPath() {
        assertThat(ReportFiles.parseSpec("junit=target/pgrunbook.xml"))
                .isEqualTo(new ReportSpec(ReportFormat.JUNIT, Path.of("target/pgrunbook.xml")));
        assertThat(ReportFiles.parseSpec("PROM=/var/lib/node_exporter/a=b.prom"))
                .isEqualTo(new ReportSpec(ReportFormat.PROMETHEUS, Path.of("/var/lib/node_exporter/a=b.prom")));
    }

    @Test
    void malformedSpecsAreInvalidUsageWithAHint() {
        for (String spec : List.of("report.json", "json=", "=report.json", "html=report.html", "json=a\u0000b")) {
            assertThatThrownBy(() -> ReportFiles.parseSpec(spec))
                    .as(spec)
                    .isInstanceOf(PgRunbookException.class)
                    .hasMessageStartingWith("invalid report '" + spec + "': ")
                    .extracting(e -> ((PgRunbookException) e).exitCode()).isEqualTo(ExitCode.INVALID);
        }
        assertThatThrownBy(() -> ReportFiles.parseSpec("html=x"))
                .hasMessage("invalid report 'html=x': unknown report format 'html': use one of text, json, junit, prometheus, nagios");
    }
}
