package io.pgrunbook.steps.shardset;

/**
 * How many of a table's rows the routing check reads. By default a sample: {@code TABLESAMPLE SYSTEM}
 * picks whole pages at random across the heap, so the cost follows the sample size rather than the
 * table's size, and old and recently written rows are both seen; {@code LIMIT} alone would read only
 * the start of the heap (the oldest rows) and {@code BERNOULLI} would read every page. The percentage
 * comes from the planner's row estimate with a margin, and {@code LIMIT} caps the rows; a table
 * smaller than twice the sample is read whole. {@code REPEATABLE} makes a run reproducible.
 */
record Sampling(boolean full, long rows, int seed) {
    private static final String FULL = "SELECT %s FROM %s";
    private static final String SAMPLE = "SELECT %s FROM %s TABLESAMPLE SYSTEM (?) REPEATABLE (?) LIMIT ?";
    private static final String FIRST_ROWS = "SELECT %s FROM %s LIMIT ?";

    /** A plan for one table: the statement (with %s for the key expression and the relation) and how it reads. */
    record Plan(String sqlTemplate, double percent, String how) {}

    Plan plan(double reltuples) {
        if (full) {
            return new Plan(FULL, 100, "all rows");
        }
        if (reltuples <= 0) {
            return new Plan(FIRST_ROWS, 100, "first " + rows + " rows (table never analyzed, so no sample size could be chosen)");
        }
        if (reltuples <= 2.0 * rows) {
            return new Plan(FIRST_ROWS, 100, "all rows (up to " + rows + ")");
        }
        double percent = Math.max(0.0001, Math.min(100, 100.0 * 2 * rows / reltuples));
        return new Plan(SAMPLE, percent, String.format(java.util.Locale.ROOT,
                "sample of up to %d rows (TABLESAMPLE SYSTEM %.4f%% of ~%.0f rows, REPEATABLE %d)", rows, percent, reltuples, seed));
    }
}
