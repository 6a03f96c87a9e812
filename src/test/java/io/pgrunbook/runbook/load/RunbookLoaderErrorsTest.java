package io.pgrunbook.runbook.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgrunbook.engine.StepRegistry;
import io.pgrunbook.error.ExitCode;
import io.pgrunbook.runbook.ParamSpec;
import io.pgrunbook.runbook.Problem;
import io.pgrunbook.runbook.RunbookInvalidException;
import io.pgrunbook.runbook.StepCatalog;
import io.pgrunbook.runbook.StepKind;
import io.pgrunbook.runbook.ValueKind;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every kind of bad input is reported with what is wrong and the exact line:column. */
class RunbookLoaderErrorsTest {
    private static final RunbookLoader LOADER = new RunbookLoader(StepRegistry.load());

    private static RunbookInvalidException invalid(String yaml) {
        return invalid(LOADER, yaml, Map.of(), Map.of());
    }

    private static RunbookInvalidException invalid(RunbookLoader loader, String yaml, Map<String, String> sets, Map<String, String> env) {
        RunbookInvalidException e = catchThrowableOfType(() -> loader.parse(yaml, "rb.yaml", sets, env), RunbookInvalidException.class);
        assertThat(e).as("expected the runbook to be refused").isNotNull();
        assertThat(e.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(e.exitCode().code()).isEqualTo(2);
        return e;
    }

    /** The one problem the runbook has. */
    private static Problem only(String yaml) {
        return only(invalid(yaml));
    }

    private static Problem only(RunbookInvalidException e) {
        assertThat(e.problems()).hasSize(1);
        return e.problems().get(0);
    }

    private static void assertAt(Problem p, int line, int column) {
        assertThat(p.location().line()).as("line of: " + p).isEqualTo(line);
        assertThat(p.location().column()).as("column of: " + p).isEqualTo(column);
        assertThat(p.location().file()).isEqualTo("rb.yaml");
    }

    // YAML itself

    @Test
    void badIndentation() {
        Problem p = only("""
                name: x
                steps:
                  - id: a
                   sql: SELECT 1
                """);

        assertThat(p.message()).startsWith("malformed YAML: expected <block end>");
        assertAt(p, 4, 4);
    }

    @Test
    void unclosedQuote() {
        Problem p = only("""
                name: x
                steps:
                  - id: a
                    sql: "SELECT 1
                """);

        assertThat(p.message()).startsWith("malformed YAML: found unexpected end of stream").contains("quoted scalar");
        assertAt(p, 5, 1);
    }

    @Test
    void tabIndentation() {
        Problem p = only("name: x\nsteps:\n\t- id: a\n");

        assertThat(p.message()).startsWith("malformed YAML:").contains("TAB");
        assertAt(p, 3, 1);
    }

    @Test
    void emptyFile() {
        for (String text : List.of("", "\n", "# only a comment\n  \n")) {
            Problem p = only(text);

            assertThat(p.message()).isEqualTo("the runbook is empty: it needs at least name and steps");
            assertAt(p, 1, 1);
        }
    }

    @Test
    void rootIsAList() {
        Problem p = only("- id: a\n  sql: SELECT 1\n");

        assertThat(p.message()).isEqualTo("the runbook must be a mapping (key: value), got a list");
        assertAt(p, 1, 1);
    }

    @Test
    void rootIsAScalar() {
        Problem p = only("hello\n");

        assertThat(p.message()).isEqualTo("the runbook must be a mapping (key: value), got 'hello'");
        assertAt(p, 1, 1);
    }

    @Test
    void unknownRootKeyWithSuggestionAndTheMissingKeyIsReportedToo() {
        List<Problem> ps = invalid("""
                name: x
                stpes:
                  - id: a
                    sql: SELECT 1
                """).problems();

        assertThat(ps).hasSize(2);
        assertThat(ps.get(0).message()).isEqualTo("the runbook has no 'steps'");
        assertThat(ps.get(1).message()).isEqualTo("unknown key 'stpes' in the runbook; did you mean 'steps'?");
        assertAt(ps.get(1), 2, 1);
    }

    @Test
    void unknownRootKeyFarFromAnyListsTheKeys() {
        Problem p = only("""
                name: x
                owner: ops
                steps:
                  - id: a
                    sql: SELECT 1
                """);

        assertThat(p.message()).isEqualTo("unknown key 'owner' in the runbook; expected one of: "
                + String.join(", ", RunbookLoader.ROOT_KEYS));
        assertAt(p, 2, 1);
    }

    @Test
    void missingNameAndSteps() {
        RunbookInvalidException e = invalid("description: nothing else\n");

        assertThat(e.problems()).extracting(Problem::message)
                .containsExactly("the runbook has no 'name'", "the runbook has no 'steps'");
        assertAt(e.problems().get(0), 1, 1);
    }

    @Test
    void unknownStepKeyWithSuggestion() {
        Problem p = only("""
                name: x
                steps:
                  - id: a
                    sql: SELECT 1
                    expcet: { rows: 0 }
                """);

        assertThat(p.message()).isEqualTo("unknown key 'expcet' in a step; did you mean 'expect'?");
        assertAt(p, 5, 5);
    }

    // wrong types

    @Test
    void timeoutNotADuration() {
        Problem p = only(step("timeout: abc"));

        assertThat(p.message()).isEqualTo("timeout must be a duration such as 500ms, 30s, 5min, 1h, got 'abc'");
        assertAt(p, 5, 14);
    }

    @Test
    void parallelBelowOne() {
        Problem p = only(step("parallel: -1"));

        assertThat(p.message()).isEqualTo("parallel must be at least 1, got -1");
        assertAt(p, 5, 15);
    }

    @Test
    void retriesNotANumber() {
        Problem p = only(step("retries: many"));

        assertThat(p.message()).isEqualTo("retries must be an integer, got 'many'");
        assertAt(p, 5, 14);
    }

    @Test
    void retriesOnSomethingElse() {
        Problem p = only(step("retries: { count: 2, on: [error, timeout] }"));

        assertThat(p.message()).isEqualTo("retries.on takes error and/or fail, got 'timeout'");
        assertAt(p, 5, 30);
    }

    @Test
    void severityUnknown() {
        Problem p = only(step("severity: fatal"));

        assertThat(p.message()).isEqualTo("severity must be critical or warning, got 'fatal'");
        assertAt(p, 5, 15);
    }

    @Test
    void onFailureUnknown() {
        Problem p = only(step("on_failure: maybe"));

        assertThat(p.message()).isEqualTo("on_failure must be stop or continue, got 'maybe'");
        assertAt(p, 5, 17);
    }

    @Test
    void expectRowsNotANumber() {
        Problem p = only(step("expect: { rows: lots }"));

        assertThat(p.message()).isEqualTo("expect.rows must be a whole number of rows, got 'lots'");
        assertAt(p, 5, 21);
    }

    @Test
    void expectRowsNegative() {
        Problem p = only(step("expect: { rows: { gt: -1 } }"));

        assertThat(p.message()).isEqualTo("expect.rows.gt must be a whole number of rows, got '-1'");
        assertAt(p, 5, 27);
    }

    @Test
    void defaultsOfTheWrongType() {
        RunbookInvalidException e = invalid("""
                name: x
                defaults:
                  timeout: soon
                  severity: fatal
                  parallel: 0
                  retries: many
                  on_failure: maybe
                steps:
                  - id: a
                    sql: SELECT 1
                """);

        assertThat(e.problems()).extracting(Problem::message).containsExactly(
                "defaults.timeout must be a duration such as 500ms, 30s, 5min, 1h, got 'soon'",
                "defaults.severity must be critical or warning, got 'fatal'",
                "defaults.parallel must be at least 1, got 0",
                "retries must be an integer, got 'many'",
                "on_failure must be stop or continue, got 'maybe'");
        assertAt(e.problems().get(0), 3, 12);
        assertAt(e.problems().get(4), 7, 15);
    }

    // ids, keys, types, targets

    @Test
    void duplicateStepIdNamesTheFirstLine() {
        Problem p = only("""
                name: x
                steps:
                  - id: a
                    sql: SELECT 1
                  - id: b
                    sql: SELECT 1
                  - id: a
                    sql: SELECT 2
                """);

        assertThat(p.message()).isEqualTo("duplicate step id 'a' (first used at line 3)");
        assertAt(p, 7, 9);
    }

    @Test
    void duplicateYamlKeyNamesTheFirstLine() {
        Problem p = only("""
                name: x
                steps:
                  - id: a
                    sql: SELECT 1
                    sql: SELECT 2
                """);

        assertThat(p.message()).isEqualTo("duplicate key 'sql' in a step (first at line 4)");
        assertAt(p, 5, 5);
    }

    @Test
    void duplicateRootKey() {
        Problem p = only("""
                name: x
                steps:
                  - id: a
                    sql: SELECT 1
                name: y
                """);

        assertThat(p.message()).isEqualTo("duplicate key 'name' in the runbook (first at line 1)");
        assertAt(p, 5, 1);
    }

    @Test
    void missingId() {
        Problem p = only("""
                name: x
                steps:
                  - sql: SELECT 1
                """);

        assertThat(p.message()).isEqualTo("step has no id: every step needs a unique 'id'");
        assertAt(p, 3, 5);
    }

    @Test
    void badId() {
        Problem p = only("""
                name: x
                steps:
                  - id: "my step"
                    sql: SELECT 1
                """);

        assertThat(p.message()).isEqualTo("step id 'my step' may contain only letters, digits, '.', '_' and '-'");
        assertAt(p, 3, 9);
    }

    @Test
    void missingSqlForASqlStep() {
        Problem p = only("""
                name: x
                steps:
                  - id: a
                    expect: { rows: 0 }
                """);

        assertThat(p.message()).isEqualTo("step 'a' has no sql: a step of type 'sql' needs the statement to run");
        assertAt(p, 3, 5);
    }

    @Test
    void blankSql() {
        Problem p = only("""
                name: x
                steps:
                  - id: a
                    sql: "  "
                """);

        assertThat(p.message()).isEqualTo("step 'a' sql is empty");
        assertAt(p, 4, 10);
    }

    @Test
    void unknownStepTypeWithSuggestion() {
        Problem p = only("""
                name: x
                steps:
                  - id: a
                    type: sqll
                    sql: SELECT 1
                """);

        assertThat(p.message()).isEqualTo("unknown step type 'sqll'; did you mean 'sql'?");
        assertAt(p, 4, 11);
    }

    @Test
    void unknownTargetWithSuggestion() {
        Problem p = only("""
                name: x
                targets:
                  primary: "host=p"
                  replica: "host=r"
                steps:
                  - id: a
                    target: primray
                    sql: SELECT 1
                """);

        assertThat(p.message()).isEqualTo("unknown target 'primray'; did you mean 'primary'?");
        assertAt(p, 7, 13);
    }

    @Test
    void unknownTargetInAFanOut() {
        Problem p = only("""
                name: x
                targets:
                  primary: "host=p"
                  replica: "host=r"
                steps:
                  - id: a
                    targets: [primary, shard9]
                    sql: SELECT 1
                """);

        assertThat(p.message()).isEqualTo("unknown target 'shard9'; expected one of: primary, replica");
        assertAt(p, 7, 14);
    }

    @Test
    void targetAndTargetsBoth() {
        Problem p = only("""
                name: x
                targets:
                  primary: "host=p"
                steps:
                  - id: a
                    target: primary
                    targets: [primary]
                    sql: SELECT 1
                """);

        assertThat(p.message()).isEqualTo("step 'a' gives both target and targets; use target for one, targets for a fan-out");
        assertAt(p, 7, 5);
    }

    @Test
    void emptyFanOut() {
        Problem p = only("""
                name: x
                steps:
                  - id: a
                    targets: []
                    sql: SELECT 1
                """);

        assertThat(p.message()).isEqualTo("targets is empty: name at least one target");
        assertAt(p, 4, 14);
    }

    @Test
    void poolMinAboveMax() {
        Problem p = only("""
                name: x
                targets:
                  p: { url: "host=p", pool: { min: 5, max: 2 } }
                steps:
                  - id: a
                    sql: SELECT 1
                """);

        assertThat(p.message()).isEqualTo("pool.min (5) is larger than pool.max (2)");
        assertAt(p, 3, 29);
    }

    // variables

    @Test
    void undefinedSqlVariableInABlockScalarIsLocatedAtThePlaceholder() {
        Problem p = only("""
                name: x
                vars:
                  name: a
                steps:
                  - id: a
                    sql: |
                      SELECT *
                        FROM t
                       WHERE n = :nme
                """);

        assertThat(p.message()).isEqualTo("undefined variable ':nme' in SQL; did you mean ':name'?");
        assertAt(p, 9, 18);
    }

    @Test
    void undefinedSqlVariableInAPlainScalarIsLocatedAtThePlaceholder() {
        Problem p = only("""
                name: x
                vars:
                  name: a
                steps:
                  - id: a
                    sql: SELECT * FROM t WHERE n = :nme
                """);

        assertThat(p.message()).isEqualTo("undefined variable ':nme' in SQL; did you mean ':name'?");
        assertAt(p, 6, 36);
    }

    @Test
    void undefinedSqlVariableInAQuotedScalarIsLocatedAtThePlaceholder() {
        Problem p = only("""
                name: x
                vars:
                  x: 1
                steps:
                  - id: a
                    sql: "SELECT :x, ':nothing_like_it', :nothing_like_it"
                """);

        assertThat(p.message()).isEqualTo("undefined variable ':nothing_like_it' in SQL; declare it under vars: or pass --set nothing_like_it=...");
        assertAt(p, 6, 42);
    }

    @Test
    void eachUseOfAnUndefinedSqlVariableIsLocated() {
        RunbookInvalidException e = invalid("""
                name: x
                steps:
                  - id: a
                    sql: |
                      SELECT :lim
                      UNION ALL SELECT :lim
                """);

        assertThat(e.problems()).hasSize(2);
        assertAt(e.problems().get(0), 5, 14);
        assertAt(e.problems().get(1), 6, 24);
    }

    @Test
    void undefinedSqlVariableIsNotLocatedInsideALongerName() {
        Problem p = only("""
                name: x
                vars:
                  limits: [1]
                steps:
                  - id: a
                    sql: SELECT :limits, :limit
                """);

        assertThat(p.message()).isEqualTo("undefined variable ':limit' in SQL; did you mean ':limits'?");
        assertAt(p, 6, 26);
    }

    @Test
    void undefinedSqlVariableIsNotLocatedInsideACast() {
        Problem p = only("""
                name: x
                steps:
                  - id: a
                    sql: SELECT x::lim, :lim
                """);

        assertThat(p.message()).startsWith("undefined variable ':lim' in SQL");
        assertAt(p, 4, 25);
    }

    @Test
    void undefinedSqlVariableIsNotLocatedInsideACommentOrLiteral() {
        Problem p = only("""
                name: x
                steps:
                  - id: a
                    sql: |
                      -- compare with :lim
                      SELECT ':lim', :lim
                """);

        assertThat(p.message()).startsWith("undefined variable ':lim' in SQL");
        assertAt(p, 6, 22);
    }

    @Test
    void undefinedVariableInWhenSql() {
        Problem p = only("""
                name: x
                steps:
                  - id: a
                    sql: SELECT 1
                    when: { sql: "SELECT :enabled" }
                """);

        assertThat(p.message()).startsWith("undefined variable ':enabled' in SQL");
        assertAt(p, 5, 26);
    }

    @Test
    void dollarBraceInSqlIsRefused() {
        Problem p = only("""
                name: x
                vars:
                  table: t
                steps:
                  - id: a
                    sql: SELECT * FROM ${table}
                """);

        assertThat(p.message()).isEqualTo("'${table}' in SQL is never expanded: write :name for a value (a bind parameter), "
                + "${ident:name} for an identifier, or ${literal:name} for a literal where a parameter cannot go");
        assertAt(p, 6, 24);
    }

    @Test
    void identifierTemplateNamesAnUndefinedVariableWhereItIs() {
        Problem p = only("""
                name: x
                vars:
                  table: t
                steps:
                  - id: a
                    sql: SELECT * FROM ${ident:tabel}
                """);

        assertThat(p.message()).startsWith("undefined variable 'tabel' in ${ident:tabel}");
        assertAt(p, 6, 24);
    }

    @Test
    void identifierTemplateRefusesANameLongerThanPostgresKeeps() {
        Problem p = only("""
                name: x
                vars:
                  table: %s
                steps:
                  - id: a
                    sql: SELECT * FROM ${ident:table}
                """.formatted("t".repeat(64)));

        assertThat(p.message()).contains("is 64 bytes long; PostgreSQL would cut it to 63");
    }

    @Test
    void undefinedVariableInAUrl() {
        Problem p = only("""
                name: x
                vars:
                  host: db1
                targets:
                  p: { url: "host=${hots}" }
                steps:
                  - id: a
                    sql: SELECT 1
                """);

        assertThat(p.message()).isEqualTo("target 'p' url: undefined variable 'hots'; did you mean 'host'?");
        assertAt(p, 5, 13);
    }

    @Test
    void unsetEnvironmentVariableWithoutDefault() {
        Problem p = only("""
                name: x
                targets:
                  p:
                    url: "${env:STORAGE_DB_URL}"
                steps:
                  - id: a
                    sql: SELECT 1
                """);

        assertThat(p.message()).isEqualTo("target 'p' url: environment variable STORAGE_DB_URL is not set "
                + "(write ${env:STORAGE_DB_URL:-default} to give a default)");
        assertAt(p, 4, 10);
    }

    @Test
    void unterminatedReference() {
        Problem p = only("""
                name: x
                steps:
                  - id: a
                    message: "see ${host"
                    sql: SELECT 1
                """);

        assertThat(p.message()).isEqualTo("step 'a' message: unterminated '${' in \"see ${host\"");
        assertAt(p, 4, 14);
    }

    @Test
    void passwordInAUriIsRefusedWithoutRepeatingIt() {
        RunbookInvalidException e = invalid("""
                name: x
                targets:
                  p: { url: "postgres://u:secret@h/db" }
                steps:
                  - id: a
                    sql: SELECT 1
                """);

        Problem p = only(e);
        assertThat(p.message()).startsWith("target 'p' has a password in the runbook: passwords never live in the file")
                .doesNotContain("secret");
        assertThat(e.getMessage()).doesNotContain("secret");
        assertAt(p, 3, 13);
    }

    @Test
    void passwordKeywordIsRefusedWithoutRepeatingIt() {
        for (String url : List.of("host=h password=secret dbname=app", "password = secret", "postgresql://h/db?user=u&password=secret")) {
            RunbookInvalidException e = invalid("""
                    name: x
                    targets:
                      p:
                        url: "%s"
                    steps:
                      - id: a
                        sql: SELECT 1
                    """.formatted(url));

            Problem p = only(e);
            assertThat(p.message()).as(url).contains("has a password in the runbook").doesNotContain("secret");
            assertThat(e.getMessage()).doesNotContain("secret");
            assertAt(p, 4, 10);
        }
    }

    @Test
    void setOfAnUndeclaredVariableSuggestsTheNearest() {
        RunbookInvalidException e = invalid(LOADER, """
                name: x
                vars:
                  limit: 5
                steps:
                  - id: a
                    sql: SELECT :limit
                """, Map.of("limt", "4"), Map.of());

        Problem p = only(e);
        assertThat(p.message()).isEqualTo("--set limt: the runbook declares no variable 'limt'; did you mean 'limit'?");
        assertThat(p.location().file()).isEqualTo("--set");
        assertThat(p.location().toString()).isEqualTo("--set");
    }

    @Test
    void setOfAnUndeclaredVariableListsTheDeclaredOnes() {
        RunbookInvalidException e = invalid(LOADER, """
                name: x
                vars:
                  limit: 5
                  table: t
                steps:
                  - id: a
                    sql: SELECT :limit
                """, Map.of("batch", "4"), Map.of());

        assertThat(only(e).message()).isEqualTo("--set batch: the runbook declares no variable 'batch'; declared: limit, table");
    }

    @Test
    void setOfTheWrongType() {
        RunbookInvalidException e = invalid(LOADER, """
                name: x
                vars:
                  limit: 5
                  strict: true
                steps:
                  - id: a
                    sql: SELECT :limit, :strict
                """, Map.of("limit", "abc"), Map.of());

        assertThat(only(e).message()).isEqualTo("--set limit=abc: expected a whole number like the runbook's default");

        RunbookInvalidException b = invalid(LOADER, """
                name: x
                vars:
                  strict: true
                steps:
                  - id: a
                    sql: SELECT :strict
                """, Map.of("strict", "maybe"), Map.of());
        assertThat(only(b).message()).isEqualTo("--set strict=maybe: expected true or false like the runbook's default");
    }

    @Test
    void variableWithoutValue() {
        Problem p = only("""
                name: x
                vars:
                  limit:
                steps:
                  - id: a
                    sql: SELECT 1
                """);

        assertThat(p.message()).isEqualTo("variable 'limit' has no value; give it a default");
        assertAt(p, 3, 9);
    }

    // expect

    @Test
    void expectWithAnUnknownOperator() {
        Problem p = only(step("expect: { value: { gte: 1 } }"));

        assertThat(p.message()).isEqualTo("unknown comparison 'gte' in expect.value; use eq (=), ne (!=), lt (<), le (<=), gt (>), ge (>=), in, not_in");
        assertAt(p, 5, 24);
    }

    @Test
    void expectInWithAScalar() {
        Problem p = only(step("expect: { value: { in: 1 } }"));

        assertThat(p.message()).isEqualTo("expect.value.in must be a list of values");
        assertAt(p, 5, 28);
    }

    @Test
    void expectComparisonWithAList() {
        Problem p = only(step("expect: { each: { n: { lt: [1, 2] } } }"));

        assertThat(p.message()).isEqualTo("expect.each.n.lt must be a single value, not a list");
        assertAt(p, 5, 32);
    }

    @Test
    void expectEmptyMapping() {
        Problem p = only(step("expect: {}"));

        assertThat(p.message()).isEqualTo("expect has nothing to check: give rows, value, empty, each or same");
        assertAt(p, 5, 13);
    }

    @Test
    void expectWithAnUnknownKey() {
        Problem p = only(step("expect: { row: 0 }"));

        assertThat(p.message()).isEqualTo("unknown key 'row' in expect; did you mean 'rows'?");
        assertAt(p, 5, 15);
    }

    // with

    @Test
    void withUnknownKey() {
        Problem p = only(exec("with: { transactoin: false }"));

        assertThat(p.message()).isEqualTo("unknown key 'transactoin' in with; did you mean 'transaction'?");
        assertAt(p, 6, 13);
    }

    @Test
    void withWrongType() {
        Problem p = only(exec("with: { transaction: maybe }"));

        assertThat(p.message()).isEqualTo("with.transaction must be true or false, got 'maybe'");
        assertAt(p, 6, 26);
    }

    @Test
    void withOnAStepTypeThatTakesNone() {
        Problem p = only(step("with: { transaction: false }"));

        assertThat(p.message()).isEqualTo("step type 'sql' takes no with: parameters");
        assertAt(p, 5, 11);
    }

    @Test
    void withMissingARequiredParameter() {
        RunbookLoader loader = new RunbookLoader(new OneKind(new StepKind() {
            @Override public String name() { return "ttl.sweep"; }
            @Override public String summary() { return "delete expired rows"; }
            @Override public boolean writes() { return true; }
            @Override public SqlUse sqlUse() { return SqlUse.NONE; }
            @Override public List<ParamSpec> parameters() {
                return List.of(ParamSpec.required("table", ValueKind.STRING, "the table to sweep"),
                        ParamSpec.optional("batch_size", ValueKind.INTEGER, "rows per batch"));
            }
        }));

        RunbookInvalidException e = invalid(loader, """
                name: x
                steps:
                  - id: no-with
                    type: ttl.sweep
                  - id: without-table
                    type: ttl.sweep
                    with: { batch_size: 500 }
                  - id: with-sql
                    type: ttl.sweep
                    with: { table: t }
                    sql: DELETE FROM t
                """, Map.of(), Map.of());

        assertThat(e.problems()).extracting(Problem::message).containsExactly(
                "step 'no-with' of type 'ttl.sweep' needs with.table (the table to sweep)",
                "step 'without-table' needs with.table (the table to sweep)",
                "step type 'ttl.sweep' does not take sql");
        assertAt(e.problems().get(0), 3, 5);
        assertAt(e.problems().get(1), 7, 11);
        assertAt(e.problems().get(2), 11, 10);
    }

    // all at once

    @Test
    void threeMistakesGiveExactlyThreeLocatedProblemsInFileOrder() {
        RunbookInvalidException e = invalid("""
                name: three-mistakes
                steps:
                  - id: c
                    type: sqll
                    sql: SELECT 1
                  - id: a
                    sql: SELECT 1
                    timeout: abc
                  - id: b
                    sql: SELECT :nme
                """);

        assertThat(e.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(e.exitCode().code()).isEqualTo(2);
        assertThat(e.problems()).hasSize(3);
        assertThat(e.problems()).extracting(Problem::message).containsExactly(
                "unknown step type 'sqll'; did you mean 'sql'?",
                "timeout must be a duration such as 500ms, 30s, 5min, 1h, got 'abc'",
                "undefined variable ':nme' in SQL; declare it under vars: or pass --set nme=...");
        assertAt(e.problems().get(0), 4, 11);
        assertAt(e.problems().get(1), 8, 14);
        assertAt(e.problems().get(2), 10, 17);
        assertThat(e.getMessage()).startsWith("invalid runbook (3 problems):\n  rb.yaml:4:11: unknown step type");
    }

    @Test
    void problemsOnOneLineAreSortedByColumn() {
        RunbookInvalidException e = invalid("""
                name: x
                steps:
                  - { id: a, sql: SELECT :b, timeout: abc, severity: fatal }
                """);

        assertThat(e.problems()).extracting(p -> p.location().column()).containsExactly(26, 39, 54);
    }

    @Test
    void aKitchenSinkReportsEveryMistakeAtOnce() {
        RunbookInvalidException e = invalid(LOADER, """
                name: kitchen sink
                targets:
                  primary: { url: "postgres://u:secret@h/db" }
                  replica: { url: "host=${hots}", pol: 2 }
                vars:
                  limit: 5
                  bad-name: 1
                defaults:
                  timeout: forever
                steps:
                  - id: a
                    sql: SELECT :limt
                    expcet: { rows: 0 }
                  - id: a
                    type: sqll
                    sql: SELECT 1
                  - sql: SELECT 1
                  - id: d
                    target: primray
                    sql: SELECT ${limit}
                    severity: fatal
                    expect: { value: { gte: 1 }, each: { n: { in: 1 } } }
                  - id: e
                    type: sql.exec
                    sql: VACUUM
                    with: { transaction: maybe }
                    retries: many
                    on_failure: maybe
                    parallel: 0
                """, Map.of("limitt", "4"), Map.of());

        assertThat(e.problems()).extracting(p -> p.location().line() + ":" + p.location().column()).containsExactly(
                "0:0", // --set limitt
                "1:7", // name with a space
                "3:19", // password
                "4:19", // ${hots}
                "4:35", // pol
                "7:3", // bad-name
                "9:12", // timeout: forever
                "12:17", // :limt
                "13:5", // expcet
                "14:9", // duplicate id a
                "15:11", // sqll
                "17:5", // no id
                "19:13", // primray
                "20:17", // ${limit} in SQL
                "21:15", // fatal
                "22:24", // gte
                "22:51", // in: 1
                "26:26", // transaction: maybe
                "27:14", // retries: many
                "28:17", // on_failure: maybe
                "29:15"); // parallel: 0
        assertThat(e.getMessage()).doesNotContain("secret").startsWith("invalid runbook (21 problems):");
    }

    /** A runbook with one step a, whose last line (line 5) is {@code extra}. */
    private static String step(String extra) {
        return """
                name: x
                steps:
                  - id: a
                    sql: SELECT 1
                    %s
                """.formatted(extra);
    }

    /** A runbook with one sql.exec step a, whose last line (line 6) is {@code extra}. */
    private static String exec(String extra) {
        return """
                name: x
                steps:
                  - id: a
                    type: sql.exec
                    sql: VACUUM t
                    %s
                """.formatted(extra);
    }

    private record OneKind(StepKind kind) implements StepCatalog {
        @Override
        public Optional<? extends StepKind> find(String type) {
            return type.equals(kind.name()) ? Optional.of(kind) : Optional.empty();
        }

        @Override
        public Collection<String> names() {
            return List.of(kind.name());
        }
    }

    @Test
    void variablesInSqlGivenAsAStepParameterAreRefusedNotSpliced() {
        List<Problem> ps = invalid("""
                name: x
                vars: { t: 1 }
                steps:
                  - id: lt
                    type: loadtest
                    with:
                      operations:
                        get: { weight: 100, sql: "SELECT * FROM t WHERE id = ${t}" }
                """).problems();
        assertThat(ps).anySatisfy(p -> {
            assertThat(p.message()).contains("'${...}' in SQL given as a parameter is never expanded");
            assertAt(p, 8, 62);
        });
    }
}
