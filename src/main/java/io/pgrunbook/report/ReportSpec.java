package io.pgrunbook.report;

import java.nio.file.Path;

/** One {@code FORMAT=PATH} report request, as given on the command line. */
public record ReportSpec(ReportFormat format, Path path) {}
