package io.pgrunbook.cli;

import io.pgrunbook.report.ReportFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The values of enumerated options, for tab completion (and nothing else: parsing stays strict). */
final class Candidates {
    private Candidates() {}

    static final class Formats extends ArrayList<String> {
        Formats() {
            super(Arrays.stream(ReportFormat.values()).map(ReportFormat::key).toList());
        }
    }

    /** FORMAT=PATH: the format part, so that --report j<TAB> becomes --report junit= */
    static final class ReportSpecs extends ArrayList<String> {
        ReportSpecs() {
            super(Arrays.stream(ReportFormat.values()).map(f -> f.key() + "=").toList());
        }
    }

    static final class Hashes extends ArrayList<String> {
        Hashes() {
            super(List.of("integer", "fnv1a64", "xxhash64"));
        }
    }

    static final class TransferModes extends ArrayList<String> {
        TransferModes() {
            super(List.of("auto", "force_logical", "block_writes"));
        }
    }

    static final class Shells extends ArrayList<String> {
        Shells() {
            super(List.of("bash", "zsh"));
        }
    }
}
