package io.pgrunbook.runbook.expect;

import java.util.Locale;
import java.util.Optional;

/** A comparison an expectation can make; each accepts a word key and, where natural, a symbol. */
public enum CompareOp {
    EQ("eq", "="),
    NE("ne", "!="),
    LT("lt", "<"),
    LE("le", "<="),
    GT("gt", ">"),
    GE("ge", ">="),
    IN("in", "in"),
    NOT_IN("not_in", "not in");

    private final String word;
    private final String symbol;

    CompareOp(String word, String symbol) {
        this.word = word;
        this.symbol = symbol;
    }

    public String word() {
        return word;
    }

    public String symbol() {
        return symbol;
    }

    public static Optional<CompareOp> parse(String key) {
        String k = key.trim().toLowerCase(Locale.ROOT);
        for (CompareOp op : values()) {
            if (op.word.equals(k) || op.symbol.equals(k)) {
                return Optional.of(op);
            }
        }
        if (k.equals("==")) {
            return Optional.of(EQ);
        }
        if (k.equals("<>")) {
            return Optional.of(NE);
        }
        return Optional.empty();
    }

    public static String allowedKeys() {
        return "eq (=), ne (!=), lt (<), le (<=), gt (>), ge (>=), in, not_in";
    }
}
