#!/usr/bin/env bash
# Benchmark for migrate lint (issue 20), in one run, median of RUNS, no database anywhere:
#   `pgrunbook migrate lint --dir DIR` beside Squawk's CLI (npm package squawk-cli) on the same N
#   migration files. Aim: pgrunbook at most 2x Squawk.
# Squawk is installed with npm into a temporary directory (its npm package ships the binary for this
# platform); without npm or with the install refused, the benchmark says so and exits 3.
# Usage: bench/migrate-lint.sh [RUNS] [N]   (defaults 5, 1000)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-5}"; n="${2:-1000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$here" && mvn -q -B -DskipTests package)
warm "$here/pgrunbook"

command -v npm >/dev/null || skip "npm is not installed, so Squawk (npm squawk-cli) cannot be measured"
(cd "$work" && npm install --silent --no-audit --no-fund squawk-cli >/dev/null 2>&1) || skip "npm install squawk-cli failed here"
squawk="$work/node_modules/.bin/squawk"
"$squawk" --version >/dev/null 2>&1 || skip "squawk-cli installed but its binary does not run on this platform"

# N migrations as a long-lived project writes them: tables, indexes, columns, constraints, functions, data.
mkdir -p "$work/m"
for i in $(seq 1 "$n"); do
  f="$work/m/$(printf %05d "$i")_change_$i.up.sql"
  case $((i % 8)) in
    0) printf 'CREATE TABLE t%d (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    name text NOT NULL,\n    created_at timestamptz NOT NULL DEFAULT now()\n);\n' "$i" > "$f" ;;
    1) printf 'CREATE INDEX t%d_name_idx ON accounts (name);\n' "$i" > "$f" ;;
    2) printf 'ALTER TABLE accounts ADD COLUMN c%d text;\nALTER TABLE accounts ADD COLUMN d%d int NOT NULL DEFAULT 0;\n' "$i" "$i" > "$f" ;;
    3) printf 'ALTER TABLE orders ADD CONSTRAINT o%d_fk FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;\n' "$i" > "$f" ;;
    4) printf 'CREATE OR REPLACE FUNCTION f%d(x int) RETURNS int\n    LANGUAGE plpgsql STABLE\nAS $$\nBEGIN\n    RETURN x + %d;\nEND;\n$$;\n' "$i" "$i" > "$f" ;;
    5) printf 'CREATE INDEX CONCURRENTLY IF NOT EXISTS o%d_created_idx ON orders (created_at);\n' "$i" > "$f" ;;
    6) printf 'UPDATE accounts SET c%d = name WHERE c%d IS NULL;\nALTER TABLE accounts ALTER COLUMN c%d SET NOT NULL;\n' "$((i-4))" "$((i-4))" "$((i-4))" > "$f" ;;
    7) printf 'CREATE VIEW v%d AS\n    SELECT a.id, count(o.*) AS orders\n      FROM accounts a LEFT JOIN orders o ON o.account_id = a.id\n     GROUP BY a.id;\n' "$i" > "$f" ;;
  esac
done

# Squawk exits 1 when it finds something: that is a result, not a failure.
run_squawk() { "$squawk" "$work"/m/*.up.sql >/dev/null 2>&1 || [ $? -eq 1 ]; }
run_ours() { "$here/pgrunbook" migrate lint -q --dir "$work/m"; }
run_squawk || skip "squawk failed on the generated files"

ours=(); theirs=()
for r in $(seq 1 "$runs"); do
  ours+=("$(ms run_ours)")
  theirs+=("$(ms run_squawk)")
done
o=$(printf '%s\n' "${ours[@]}" | median); t=$(printf '%s\n' "${theirs[@]}" | median)
printf '%-50s %8s\n' "what (median of $runs, $n files, no database)" "ms"
printf '%-50s %8.0f\n' "pgrunbook migrate lint" "$o"
printf '%-50s %8.0f\n' "squawk $("$squawk" --version 2>/dev/null | awk '{print $NF}')" "$t"
printf '%-50s %8s   (aim: at most 2.00x)\n' "ratio pgrunbook / squawk" "$(ratio "$o" "$t")x"
echo "  findings: pgrunbook $("$here/pgrunbook" migrate lint --dir "$work/m" | tail -1 | sed 's/;.*//; s/^lint: //')"
echo "  $(loadavg)"
