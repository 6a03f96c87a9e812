package io.pgrunbook.steps.migrate;

/**
 * What the linter looks for before a migration runs. HIGH: takes a long or strong lock, or rewrites
 * the table. MEDIUM: breaks code that is still running against the old schema (seed 003: backward
 * compatible, additive only, no data in migrations). LOW: worth a look, often intended. Squawk's
 * documented rule list was the checklist; the rules and their wording are this project's own.
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
    UNIQUE_WITHOUT_INDEX("unique-without-index", "HIGH",
            "adding a UNIQUE or PRIMARY KEY constraint builds its index under an ACCESS EXCLUSIVE lock, blocking reads and writes for the whole build",
            "CREATE UNIQUE INDEX CONCURRENTLY i ON t (col); then ALTER TABLE t ADD CONSTRAINT c UNIQUE USING INDEX i (or PRIMARY KEY USING INDEX i)"),
    REINDEX_LOCKS("reindex-locks", "HIGH",
            "REINDEX without CONCURRENTLY blocks writes to the table (and reads that would use the index) until it finishes",
            "REINDEX INDEX CONCURRENTLY (PostgreSQL 12+); before 12, CREATE INDEX CONCURRENTLY a copy, then drop the old one concurrently"),
    DETACH_PARTITION_LOCKS("detach-partition-locks", "HIGH",
            "DETACH PARTITION without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the parent table, blocking every query on it",
            "ALTER TABLE parent DETACH PARTITION child CONCURRENTLY (PostgreSQL 14+; pgrunbook runs it outside a transaction)"),
    CONCURRENTLY_IN_TRANSACTION("concurrently-in-transaction", "HIGH",
            "CONCURRENTLY cannot run inside a transaction block: the explicit BEGIN in this file makes the statement fail (SQLSTATE 25001)",
            "remove BEGIN/COMMIT from the file: pgrunbook runs a migration with CONCURRENTLY outside a transaction by itself"),
    TRANSACTION_CONTROL("transaction-control", "HIGH",
            "BEGIN/COMMIT/ROLLBACK inside a migration nests in the transaction pgrunbook opens, and a COMMIT would commit part of the file "
                    + "apart from its history row, so a failure later leaves it half-applied and unrecorded",
            "remove the transaction statements: each migration already runs in one transaction with its history row"),
    TRANSACTION_LEFT_OPEN("transaction-left-open", "HIGH",
            "the file opens a transaction (BEGIN) that it never closes: everything after it, the history row included, hangs on one open transaction",
            "remove the BEGIN, or close it; pgrunbook opens and commits the migration's transaction itself"),
    DROP_DATABASE("drop-database", "HIGH",
            "DROP DATABASE destroys a whole database and cannot be rolled back; it does not belong in a schema migration",
            "drop databases by hand, after a backup, outside the migration history"),
    DROP_NOT_NULL("drop-not-null", "MEDIUM",
            "DROP NOT NULL lets NULLs in that code still running against the old schema does not expect",
            "make the code tolerate NULL first, then drop the constraint in a later release"),
    DOMAIN_CONSTRAINT("domain-constraint", "MEDIUM",
            "a constraint on a domain is checked against every column of that type: adding one scans them all under lock, and changing it later is hard",
            "put the CHECK on the table (ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT), or ALTER DOMAIN ... ADD CONSTRAINT ... NOT VALID then VALIDATE"),
    ENUM_VALUE_ORDER("enum-value-order", "LOW",
            "ALTER TYPE ... ADD VALUE without BEFORE or AFTER puts the value last; where the enum's order means something (comparisons, ORDER BY), it sorts after every other value",
            "ADD VALUE 'x' BEFORE 'y' (or AFTER 'y') where the order matters; add '-- pgrunbook:allow enum-value-order last is right' when last is meant"),
    ENUM_VALUE_USED_IN_TRANSACTION("enum-value-used-in-transaction", "HIGH",
            "a value added with ALTER TYPE ... ADD VALUE cannot be used in the transaction that added it (SQLSTATE 55P04): the migration fails",
            "add the enum value in its own migration, and use it in a later one"),
    IDENTIFIER_TOO_LONG("identifier-too-long", "MEDIUM",
            "PostgreSQL truncates identifiers longer than 63 bytes without an error, so two long names can collide and later statements name the wrong object",
            "a name of at most 63 bytes"),
    DEFAULT_REWRITE("default-rewrite", "HIGH",
            "before PostgreSQL 11, ADD COLUMN with any DEFAULT rewrites the whole table under an ACCESS EXCLUSIVE lock",
            "add the column without a default, SET DEFAULT afterwards, backfill in batches (or upgrade: 11+ stores a constant default without a rewrite)"),
    STORED_GENERATED("stored-generated-column", "HIGH",
            "adding a STORED generated column computes it for every row: a table rewrite under an ACCESS EXCLUSIVE lock",
            "add a plain column, backfill it in batches and keep it current with a trigger, or compute the value in a view or the query"),
    VALIDATE_IN_SAME_TRANSACTION("validate-in-same-transaction", "HIGH",
            "NOT VALID and VALIDATE CONSTRAINT in the same transaction: the strong lock taken by ADD CONSTRAINT is held through the validating scan, "
                    + "so NOT VALID gains nothing",
            "VALIDATE CONSTRAINT in a later migration (its own transaction, where it takes only a SHARE UPDATE EXCLUSIVE lock)"),
    NOT_RERUNNABLE("not-rerunnable", "MEDIUM",
            "this migration runs outside a transaction (it has a CONCURRENTLY or similar statement), so a failure half-way leaves the earlier "
                    + "statements applied; without IF [NOT] EXISTS, running it again fails on them",
            "write IF NOT EXISTS / IF EXISTS on each CREATE / DROP / ADD COLUMN, or give the CONCURRENTLY statement a migration of its own"),
    INVALID_ALLOW("invalid-allow", "HIGH",
            "a pgrunbook:allow comment must name a known rule and give a reason",
            "-- pgrunbook:allow RULE why it is safe here"),
    UNUSED_ALLOW("unused-allow", "LOW",
            "this pgrunbook:allow comment silences a rule that the statement below it does not break: a stale comment hides the next real finding",
            "remove the comment, or move it above the statement it was meant for");

    /** Rules that concern the file's transaction as a whole rather than one statement. */
    static final java.util.Set<LintRule> FILE_LEVEL = java.util.EnumSet.of(TRANSACTION_LEFT_OPEN);

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
