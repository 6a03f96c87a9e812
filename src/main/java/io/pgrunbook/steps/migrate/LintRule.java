package io.pgrunbook.steps.migrate;

/**
 * What the linter looks for before a migration runs. HIGH: takes a long or strong lock, or rewrites
 * the table. MEDIUM: breaks code that is still running against the old schema (seed 003: backward
 * compatible, additive only, no data in migrations).
 */
public enum LintRule {
    CREATE_INDEX_LOCKS("create-index-locks", "HIGH",
            "CREATE INDEX without CONCURRENTLY on an existing table blocks every write to it until the index is built",
            "CREATE INDEX CONCURRENTLY (pgrunbook runs it outside a transaction for you)"),
    DROP_INDEX_LOCKS("drop-index-locks", "HIGH",
            "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table",
            "DROP INDEX CONCURRENTLY"),
    NOT_NULL_WITHOUT_DEFAULT("not-null-without-default", "HIGH",
            "ADD COLUMN ... NOT NULL without a DEFAULT fails on a table with rows, and old code inserting rows breaks",
            "add the column nullable (or with a constant DEFAULT), backfill in batches, then add the constraint"),
    VOLATILE_DEFAULT("volatile-default", "HIGH",
            "a volatile DEFAULT (clock_timestamp(), random(), gen_random_uuid(), nextval) rewrites the whole table under an ACCESS EXCLUSIVE lock",
            "add the column without a default, set the default afterwards (ALTER COLUMN ... SET DEFAULT), backfill in batches"),
    COLUMN_TYPE_CHANGE("column-type-change", "HIGH",
            "ALTER COLUMN ... TYPE usually rewrites the table and its indexes under an ACCESS EXCLUSIVE lock",
            "add a new column, backfill in batches, switch the code, then drop the old column"),
    CONSTRAINT_NOT_VALID("constraint-without-not-valid", "HIGH",
            "ADD FOREIGN KEY / CHECK scans the whole table while holding a lock that blocks writes",
            "ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a later migration (it takes a weaker lock)"),
    SET_NOT_NULL("set-not-null", "HIGH",
            "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock unless a validated CHECK (col IS NOT NULL) exists",
            "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c; then SET NOT NULL"),
    DROP_COLUMN("drop-column", "MEDIUM",
            "DROP COLUMN is not backward compatible: code still running against the old schema breaks",
            "stop using the column in the code first, then drop it in a later release"),
    DROP_TABLE("drop-table", "MEDIUM",
            "DROP TABLE is not backward compatible and loses data", "stop using the table first; drop it in a later release, after a backup"),
    RENAME("rename", "MEDIUM",
            "RENAME is not backward compatible: code using the old name breaks at once",
            "add the new column or table, write to both, switch reads, then drop the old one"),
    TRUNCATE("truncate", "HIGH", "TRUNCATE deletes every row under an ACCESS EXCLUSIVE lock",
            "do not delete data in a schema migration; use a separate, reviewed script"),
    TABLE_REWRITE("table-rewrite", "HIGH",
            "VACUUM FULL and CLUSTER rewrite the table under an ACCESS EXCLUSIVE lock for the whole time",
            "pg_repack, or plain VACUUM; schedule a maintenance window otherwise"),
    DATA_CHANGE("data-change", "MEDIUM",
            "data changes do not belong in schema migrations (seed 003: no data in migrations); a large UPDATE holds row locks for the whole transaction",
            "a separate, batched data script"),
    INVALID_ALLOW("invalid-allow", "HIGH",
            "a pgrunbook:allow comment must name a known rule and give a reason",
            "-- pgrunbook:allow RULE why it is safe here");

    private final String id;
    private final String severity;
    private final String why;
    private final String rewrite;

    LintRule(String id, String severity, String why, String rewrite) {
        this.id = id;
        this.severity = severity;
        this.why = why;
        this.rewrite = rewrite;
    }

    public String id() {
        return id;
    }

    public String severity() {
        return severity;
    }

    public String why() {
        return why;
    }

    public String rewrite() {
        return rewrite;
    }

    public static LintRule byId(String id) {
        for (LintRule r : values()) {
            if (r.id.equals(id)) {
                return r;
            }
        }
        return null;
    }
}
