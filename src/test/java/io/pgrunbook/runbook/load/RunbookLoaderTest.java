package io.pgrunbook.runbook.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.runbook.OnFailure;
import io.pgrunbook.runbook.RetryPolicy;
import io.pgrunbook.runbook.Runbook;
import io.pgrunbook.runbook.Severity;
import io.pgrunbook.runbook.Step;
import io.pgrunbook.runbook.TargetSpec;
import io.pgrunbook.runbook.expect.Assertion;
import io.pgrunbook.runbook.expect.CompareOp;
import io.pgrunbook.runbook.expect.Comparison;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Valid runbooks load into the model the engine runs. */
class RunbookLoaderTest {
    private static final RunbookLoader LOADER = new RunbookLoader(StepRegistry.load());

    private static Runbook load(String yaml) {
        return load(yaml, Map.of(), Map.of());
    }

    private static Runbook load(String yaml, Map<String, String> sets, Map<String, String> env) {
        return LOADER.parse(yaml, "rb.yaml", sets, env);
    }

    private static Step step(Runbook rb, String id) {
        return rb.steps().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    private static final String FULL = """
            name: storage-shard-validation
            description: Shard validation after the ext_storage migration
            targets:
              coordinator: { url: "postgresql://ops@${host}/${db}" }
              replica:
                url: "host=${env:REPLICA_HOST:-replica.local} dbname=app"
                pool: { min: 2, max: 8 }
              archive: "${env:ARCHIVE_URL}"
            vars:
              host: db1.internal
              db: app
              limit: 500
              ratio: 0.95
              shards: [coordinator, replica]
              tables: [ext_storage_records, ext_storage_schemas]
              strict: true
            defaults:
              timeout: 5min
              lock_timeout: 500ms
              severity: warning
              on_failure: stop
              parallel: 2
              retries: 2
            requires:
              server_version: 14
            steps:
              - id: hash-distributed
                name: Tables are hash-distributed
                sql: SELECT count(*) FROM t WHERE n < :limit AND r > :ratio
                expect: { value: { lt: "${limit}" } }
              - id: dead-tuples
                target: replica
                sql: |
                  SELECT relname, n_dead_tup
                    FROM pg_stat_all_tables
                   WHERE relname = ANY(:tables)
                expect:
                  rows: { gt: 0, le: 10 }
                  each: { relname: { in: "${tables}" } }
                severity: critical
                on_failure: continue
                timeout: 30s
                lock_timeout: 0
                retries: { count: 3, backoff: 2s, max_backoff: 1h, on: [error, fail] }
                when: { extension: citus, server_version: 15, sql: "SELECT :strict" }
                message: "Vacuum on ${host}"
              - id: fan-listed
                targets: [coordinator, replica]
                parallel: 1
                sql: SELECT 1
              - id: fan-var
                targets: "${shards}"
                sql: SELECT 1
              - id: vacuum
                type: sql.exec
                with: { transaction: false }
                sql: VACUUM t
            """;

    private static Runbook full() {
        return load(FULL, Map.of(), Map.of("ARCHIVE_URL", "service=archive"));
    }

    @Test
    void readsNameDescriptionAndRequirements() {
        Runbook rb = full();

        assertThat(rb.name()).isEqualTo("storage-shard-validation");
        assertThat(rb.description()).isEqualTo("Shard validation after the ext_storage migration");
        assertThat(rb.source()).isEqualTo("rb.yaml");
        assertThat(rb.minServerVersion()).isEqualTo(14);
        assertThat(rb.steps()).extracting(Step::id)
                .containsExactly("hash-distributed", "dead-tuples", "fan-listed", "fan-var", "vacuum");
    }

    @Test
    void targetsKeepTheirOrderAndTheFirstIsTheDefault() {
        Runbook rb = full();

        assertThat(rb.targets().keySet()).containsExactly("coordinator", "replica", "archive");
        assertThat(rb.defaultTarget()).isEqualTo("coordinator");
        assertThat(step(rb, "hash-distributed").targets()).containsExactly("coordinator");
        assertThat(step(rb, "hash-distributed").fanOut()).isFalse();
    }

    @Test
    void targetUrlsAreExpandedFromVarsAndEnvironment() {
        Runbook rb = full();

        assertThat(rb.targets().get("coordinator").connection()).isEqualTo("postgresql://ops@db1.internal/app");
        assertThat(rb.targets().get("replica").connection()).isEqualTo("host=replica.local dbname=app");
        assertThat(rb.targets().get("archive").connection()).isEqualTo("service=archive");
    }

    @Test
    void anEnvironmentValueWinsOverTheDefault() {
        Runbook rb = load(FULL, Map.of(), Map.of("ARCHIVE_URL", "service=x", "REPLICA_HOST", "10.0.0.7"));

        assertThat(rb.targets().get("replica").connection()).isEqualTo("host=10.0.0.7 dbname=app");
    }

    @Test
    void anEmptyEnvironmentValueTakesTheDefault() {
        Runbook rb = load(FULL, Map.of(), Map.of("ARCHIVE_URL", "service=x", "REPLICA_HOST", ""));

        assertThat(rb.targets().get("replica").connection()).isEqualTo("host=replica.local dbname=app");
    }

    @Test
    void targetPoolSizesDefaultOrAreRead() {
        Runbook rb = full();

        TargetSpec replica = rb.targets().get("replica");
        TargetSpec coordinator = rb.targets().get("coordinator");
        assertThat(replica.poolMin()).isEqualTo(2);
        assertThat(replica.poolMax()).isEqualTo(8);
        assertThat(coordinator.poolMin()).isEqualTo(TargetSpec.DEFAULT_POOL_MIN);
        assertThat(coordinator.poolMax()).isEqualTo(TargetSpec.DEFAULT_POOL_MAX);
        assertThat(coordinator.location().line()).isEqualTo(4);
        assertThat(coordinator.location().column()).isEqualTo(3);
    }

    @Test
    void withoutTargetsThereIsOneImplicitDefaultTargetFromTheEnvironment() {
        Runbook rb = load("""
                name: x
                steps:
                  - id: a
                    sql: SELECT 1
                """);

        assertThat(rb.targets().keySet()).containsExactly(RunbookLoader.IMPLICIT_TARGET);
        assertThat(rb.defaultTarget()).isEqualTo("default");
        assertThat(rb.targets().get("default").connection()).isEmpty();
        assertThat(rb.steps().get(0).targets()).containsExactly("default");
    }

    @Test
    void aTargetWithoutUrlConnectsFromTheEnvironment() {
        Runbook rb = load("""
                name: x
                targets:
                  local: {}
                  bare:
                steps:
                  - id: a
                    target: bare
                    sql: SELECT 1
                """);

        assertThat(rb.targets().get("local").connection()).isEmpty();
        assertThat(rb.targets().get("bare").connection()).isEmpty();
    }

    @Test
    void varsKeepTheirYamlTypes() {
        Map<String, Object> vars = full().vars();

        assertThat(vars.get("limit")).isEqualTo(500L);
        assertThat(vars.get("ratio")).isEqualTo(new BigDecimal("0.95"));
        assertThat(vars.get("shards")).isEqualTo(List.of("coordinator", "replica"));
        assertThat(vars.get("strict")).isEqualTo(true);
        assertThat(vars.get("host")).isEqualTo("db1.internal");
        assertThat(vars.keySet()).containsExactly("host", "db", "limit", "ratio", "shards", "tables", "strict");
    }

    @Test
    void varsMayComeFromTheEnvironment() {
        Runbook rb = load("""
                name: x
                vars:
                  schema: "${env:APP_SCHEMA:-public}"
                  owner: "${env:APP_OWNER}"
                steps:
                  - id: a
                    sql: SELECT :schema, :owner
                """, Map.of(), Map.of("APP_OWNER", "ops"));

        assertThat(rb.vars()).containsEntry("schema", "public").containsEntry("owner", "ops");
    }

    @Test
    void setOverridesAreCoercedToTheDeclaredType() {
        Runbook rb = load(FULL, Map.of(
                "limit", "1000",
                "ratio", "0.5",
                "tables", "a, b,,c",
                "strict", "no",
                "host", "42"), Map.of("ARCHIVE_URL", "service=x"));

        assertThat(rb.vars().get("limit")).isEqualTo(1000L);
        assertThat(rb.vars().get("ratio")).isEqualTo(new BigDecimal("0.5"));
        assertThat(rb.vars().get("tables")).isEqualTo(List.of("a", "b", "c"));
        assertThat(rb.vars().get("strict")).isEqualTo(false);
        assertThat(rb.vars().get("host")).isEqualTo("42");
        assertThat(rb.targets().get("coordinator").connection()).isEqualTo("postgresql://ops@42/app");
        assertThat(step(rb, "hash-distributed").expect().assertions())
                .containsExactly(new Assertion.ScalarValue(new Comparison(CompareOp.LT, 1000L)));
    }

    @Test
    void aWholeStringReferenceKeepsTheVariablesType() {
        Runbook rb = full();

        assertThat(step(rb, "hash-distributed").expect().assertions())
                .containsExactly(new Assertion.ScalarValue(new Comparison(CompareOp.LT, 500L)));
        assertThat(step(rb, "dead-tuples").expect().assertions()).contains(
                new Assertion.EachRow("relname", new Comparison(CompareOp.IN, List.of("ext_storage_records", "ext_storage_schemas"))));
    }

    @Test
    void aReferenceInsideTextJoinsListsWithCommas() {
        Runbook rb = load("""
                name: x
                vars:
                  tables: [a, b]
                steps:
                  - id: a
                    message: "check ${tables} now"
                    sql: SELECT 1
                """);

        assertThat(rb.steps().get(0).message()).isEqualTo("check a,b now");
    }

    @Test
    void doubledDollarWritesALiteralReference() {
        Runbook rb = load("""
                name: x
                vars:
                  literal: "$${not_a_var}"
                steps:
                  - id: a
                    name: "costs $$5 and $${x}"
                    message: "${literal}"
                    sql: SELECT 1
                """);

        assertThat(rb.vars().get("literal")).isEqualTo("${not_a_var}");
        assertThat(rb.steps().get(0).name()).isEqualTo("costs $$5 and ${x}");
        assertThat(rb.steps().get(0).message()).isEqualTo("${not_a_var}");
    }

    @Test
    void stepNamesAndMessagesAreExpanded() {
        Runbook rb = load("""
                name: x
                vars:
                  table: orders
                steps:
                  - id: a
                    name: "Dead tuples in ${table}"
                    message: "VACUUM ${ table } on ${env:HOSTNAME:-this host}"
                    sql: SELECT 1
                """);

        assertThat(rb.steps().get(0).name()).isEqualTo("Dead tuples in orders");
        assertThat(rb.steps().get(0).displayName()).isEqualTo("Dead tuples in orders");
        assertThat(rb.steps().get(0).message()).isEqualTo("VACUUM orders on this host");
    }

    @Test
    void sqlBecomesBindParametersAndIsNeverExpanded() {
        Step s = step(full(), "hash-distributed");

        assertThat(s.type()).isEqualTo("sql");
        assertThat(s.sql().text()).isEqualTo("SELECT count(*) FROM t WHERE n < :limit AND r > :ratio");
        assertThat(s.sql().jdbcSql()).isEqualTo("SELECT count(*) FROM t WHERE n < ? AND r > ?");
        assertThat(s.sql().parameters()).containsExactly("limit", "ratio");
    }

    @Test
    void blockScalarSqlKeepsItsLines() {
        Step s = step(full(), "dead-tuples");

        assertThat(s.sql().text()).isEqualTo("SELECT relname, n_dead_tup\n  FROM pg_stat_all_tables\n WHERE relname = ANY(:tables)\n");
        assertThat(s.sql().parameters()).containsExactly("tables");
    }

    @Test
    void defaultsApplyToStepsThatSayNothing() {
        Step s = step(full(), "hash-distributed");

        assertThat(s.timeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.lockTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.severity()).isEqualTo(Severity.WARNING);
        assertThat(s.onFailure()).isEqualTo(OnFailure.STOP);
        assertThat(s.parallel()).isEqualTo(2);
        assertThat(s.retry()).isEqualTo(new RetryPolicy(2, RetryPolicy.NONE.backoff(), RetryPolicy.NONE.maxBackoff(), false));
    }

    @Test
    void aStepOverridesTheDefaults() {
        Step s = step(full(), "dead-tuples");

        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.lockTimeout()).isEqualTo(Duration.ZERO);
        assertThat(s.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(s.onFailure()).isEqualTo(OnFailure.CONTINUE);
        assertThat(s.retry()).isEqualTo(new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofHours(1), true));
        assertThat(step(full(), "fan-listed").parallel()).isEqualTo(1);
    }

    @Test
    void withoutADefaultsBlockTheBuiltInDefaultsApply() {
        Step s = load("""
                name: x
                steps:
                  - id: a
                    sql: SELECT 1
                """).steps().get(0);

        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.lockTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(s.onFailure()).isEqualTo(OnFailure.CONTINUE);
        assertThat(s.retry()).isEqualTo(RetryPolicy.NONE);
        assertThat(s.expect()).isNull();
        assertThat(s.when()).isNull();
        assertThat(s.with()).isEmpty();
        assertThat(s.location().line()).isEqualTo(3);
        assertThat(s.location().column()).isEqualTo(5);
    }

    @Test
    void durationsInEveryUnit() {
        Runbook rb = load("""
                name: x
                steps:
                  - { id: a, sql: SELECT 1, timeout: 500ms }
                  - { id: b, sql: SELECT 1, timeout: 30s }
                  - { id: c, sql: SELECT 1, timeout: 5min }
                  - { id: d, sql: SELECT 1, timeout: 1h }
                  - { id: e, sql: SELECT 1, timeout: 0 }
                """);

        assertThat(rb.steps()).extracting(Step::timeout).containsExactly(
                Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(1), Duration.ZERO);
    }

    @Test
    void retriesShorthandAndMapping() {
        Runbook rb = load("""
                name: x
                steps:
                  - { id: shorthand, sql: SELECT 1, retries: 4 }
                  - { id: none, sql: SELECT 1, retries: 0 }
                  - id: mapping
                    sql: SELECT 1
                    retries: { count: 2, backoff: 500ms, max_backoff: 10s, on: fail }
                  - id: count-only-default
                    sql: SELECT 1
                    retries: { backoff: 5s }
                  - id: max-below-backoff
                    sql: SELECT 1
                    retries: { count: 1, backoff: 1min, max_backoff: 1s, on: [error] }
                """);

        assertThat(step(rb, "shorthand").retry()).isEqualTo(new RetryPolicy(4, Duration.ofSeconds(1), Duration.ofSeconds(30), false));
        assertThat(step(rb, "none").retry().count()).isZero();
        assertThat(step(rb, "mapping").retry()).isEqualTo(new RetryPolicy(2, Duration.ofMillis(500), Duration.ofSeconds(10), false, true));
        assertThat(step(rb, "count-only-default").retry()).isEqualTo(new RetryPolicy(1, Duration.ofSeconds(5), Duration.ofSeconds(30), false));
        assertThat(step(rb, "max-below-backoff").retry()).isEqualTo(new RetryPolicy(1, Duration.ofMinutes(1), Duration.ofMinutes(1), false));
    }

    @Test
    void whenPartsAreRead() {
        Step s = step(full(), "dead-tuples");

        assertThat(s.when().extension()).isEqualTo("citus");
        assertThat(s.when().minServerVersion()).isEqualTo(15);
        assertThat(s.when().sql().jdbcSql()).isEqualTo("SELECT ?");
        assertThat(s.when().sql().parameters()).containsExactly("strict");
    }

    @Test
    void aWhenWithOnlyOnePart() {
        Step s = load("""
                name: x
                steps:
                  - id: a
                    sql: SELECT 1
                    when: { server_version: 16 }
                """).steps().get(0);

        assertThat(s.when().minServerVersion()).isEqualTo(16);
        assertThat(s.when().extension()).isNull();
        assertThat(s.when().sql()).isNull();
        assertThat(s.when().isEmpty()).isFalse();
    }

    @Test
    void fanOutOverAListOrAListVariable() {
        Runbook rb = full();

        assertThat(step(rb, "fan-listed").targets()).containsExactly("coordinator", "replica");
        assertThat(step(rb, "fan-listed").fanOut()).isTrue();
        assertThat(step(rb, "fan-var").targets()).containsExactly("coordinator", "replica");
        assertThat(step(rb, "fan-var").fanOut()).isTrue();
        assertThat(step(rb, "fan-var").parallel()).isEqualTo(2);
        assertThat(step(rb, "dead-tuples").targets()).containsExactly("replica");
        assertThat(step(rb, "dead-tuples").fanOut()).isFalse();
    }

    @Test
    void aFanOutOfOneIsStillAFanOut() {
        Step s = load("""
                name: x
                targets:
                  a: "host=a"
                  b: "host=b"
                steps:
                  - id: one
                    targets: [b]
                    sql: SELECT 1
                """).steps().get(0);

        assertThat(s.targets()).containsExactly("b");
        assertThat(s.fanOut()).isTrue();
    }

    @Test
    void setChangesTheFanOut() {
        Runbook rb = load(FULL, Map.of("shards", "replica"), Map.of("ARCHIVE_URL", "service=x"));

        assertThat(step(rb, "fan-var").targets()).containsExactly("replica");
    }

    @Test
    void sqlExecTakesTransactionFalse() {
        Step s = step(full(), "vacuum");

        assertThat(s.type()).isEqualTo("sql.exec");
        assertThat(s.with()).containsExactly(Map.entry("transaction", false));
        assertThat(s.sql().jdbcSql()).isEqualTo("VACUUM t");
    }

    @Test
    void sqlExecWithoutWithRunsInATransactionByDefault() {
        Step s = load("""
                name: x
                steps:
                  - id: a
                    type: sql.exec
                    sql: DELETE FROM t WHERE id = :id
                vars:
                  id: 7
                """).steps().get(0);

        assertThat(s.with()).isEmpty();
        assertThat(s.sql().parameters()).containsExactly("id");
    }

    @Test
    void expectationsOfEveryKind() {
        Step s = load("""
                name: x
                steps:
                  - id: a
                    sql: SELECT 1
                    expect:
                      rows: 3
                      value: { ">=": 0.95, "!=": null }
                      each: { partmethod: h, n: { not_in: [1, 2] } }
                      same: [colocationid, shardcount]
                      max_rows: 5
                """).steps().get(0);
        Runbook rb = load("""
                name: x
                steps:
                  - id: b
                    sql: SELECT 1
                    expect: { empty: true, same: colocationid }
                  - id: c
                    sql: SELECT 1
                    expect: { empty: false, value: null }
                """);

        assertThat(s.expect().maxRows()).isEqualTo(5);
        assertThat(s.expect().assertions()).containsExactly(
                new Assertion.RowCount(new Comparison(CompareOp.EQ, 3L)),
                new Assertion.ScalarValue(new Comparison(CompareOp.GE, new BigDecimal("0.95"))),
                new Assertion.ScalarValue(new Comparison(CompareOp.NE, null)),
                new Assertion.EachRow("partmethod", new Comparison(CompareOp.EQ, "h")),
                new Assertion.EachRow("n", new Comparison(CompareOp.NOT_IN, List.of(1L, 2L))),
                new Assertion.SameValue(List.of("colocationid", "shardcount")));
        assertThat(step(rb, "b").expect().assertions()).containsExactly(
                new Assertion.RowCount(new Comparison(CompareOp.EQ, 0L)),
                new Assertion.SameValue(List.of("colocationid")));
        assertThat(step(rb, "c").expect().assertions()).containsExactly(
                new Assertion.RowCount(new Comparison(CompareOp.GT, 0L)),
                new Assertion.ScalarValue(new Comparison(CompareOp.EQ, null)));
        assertThat(step(rb, "b").expect().maxRows()).isEqualTo(10);
    }
}
