#!/usr/bin/env bash
# Benchmark for start-up and the runbook engine (issues 2 and 20): each row beside the baseline a user
# would otherwise have, in the same run on the same sandbox, rounds interleaved so load drift hits all rows:
#   - `pgrunbook --version`                    vs a bare JVM hello-world            (aim: <= 3x)
#   - `pgrunbook plan` of the 100-step runbook vs a bare JVM hello-world            (aim: <= 3x)
#   - `pgrunbook plan runbooks/health.yaml`    vs a bare JVM hello-world            (aim: <= 3x)
#   - 100-step read-only runbook               vs psql -f of the same 100 queries + a bare JVM start (aim: <= 3x)
# Usage: bench/startup-and-steps.sh [RUNS]   (default 10 rounds, at least 5; medians are reported)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-10}"
[ "$runs" -ge 5 ] || { echo "RUNS must be at least 5 (medians of fewer say little)" >&2; exit 2; }
work="$(mktemp -d)"
export PGRUNBOOK_STATE_DIR="$work/state"
cleanup() { "$here/pgrunbook" sandbox stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

"$here/scripts/ensure-deps.sh"
(cd "$here" && mvn -q -B -DskipTests package)
psql_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/psql"
[ -x "$psql_bin" ] || psql_bin="$(command -v psql)" || skip "no psql found"

url="$("$here/pgrunbook" sandbox start 2>/dev/null)" || skip "could not start a sandbox PostgreSQL"

# The same 100 catalogue queries for both tools.
{
  echo "name: bench-100"
  echo "description: 100 read-only steps"
  echo "steps:"
  for i in $(seq 1 100); do
    echo "  - id: step-$i"
    echo "    sql: SELECT count(*) FROM pg_class WHERE relpages >= $((i % 7))"
    echo "    expect: { value: { ge: 0 } }"
  done
} > "$work/bench.yaml"
for i in $(seq 1 100); do echo "SELECT count(*) FROM pg_class WHERE relpages >= $((i % 7));"; done > "$work/bench.sql"

mkdir -p "$work/hello"
cat > "$work/hello/Hello.java" <<'JAVA'
public class Hello { public static void main(String[] a) { System.out.println("hello"); } }
JAVA
javac -d "$work/hello" "$work/hello/Hello.java"

# The first start after a build makes the class-data archive (a training run): not a figure.
"$here/pgrunbook" --version >/dev/null
"$here/pgrunbook" run "$work/bench.yaml" --db "$url" -q || fail "the benchmark runbook failed"

rows=(hello version plan100 planhealth psql steps)
declare -A cmd
cmd[hello]="java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -cp $work/hello Hello"
cmd[version]="$here/pgrunbook --version"
cmd[plan100]="$here/pgrunbook plan $work/bench.yaml"
cmd[planhealth]="$here/pgrunbook plan $here/runbooks/health.yaml"
cmd[psql]="$psql_bin -X -q -d $url -f $work/bench.sql"
cmd[steps]="$here/pgrunbook run $work/bench.yaml --db $url -q"

load_before="$(loadavg)"
for row in "${rows[@]}"; do : > "$work/$row.ms"; done
for _ in $(seq 1 "$runs"); do
  for row in "${rows[@]}"; do
    # shellcheck disable=SC2086 # the commands are word lists on purpose
    ms ${cmd[$row]} >> "$work/$row.ms"
  done
done
declare -A med
for row in "${rows[@]}"; do med[$row]=$(median < "$work/$row.ms"); done
base_steps=$(awk -v a="${med[psql]}" -v b="${med[hello]}" 'BEGIN { print a + b }')

# verdict RATIO AIM: "ok" or "MISSED"
verdict() { awk -v r="$1" -v a="$2" 'BEGIN { print (r <= a) ? "ok" : "MISSED" }'; }
row() { printf '%-46s %7s ms   %s\n' "$1" "$2" "${3:-}"; }
versus() { local r; r=$(ratio "$1" "$2"); echo "${r}x $3 (aim <= 3x: $(verdict "$r" 3))"; }

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -n 1), $("$psql_bin" --version); median of $runs rounds"
row "JVM hello-world" "${med[hello]}"
row "pgrunbook --version" "${med[version]}" "$(versus "${med[version]}" "${med[hello]}" "hello-world")"
row "pgrunbook plan (100-step runbook)" "${med[plan100]}" "$(versus "${med[plan100]}" "${med[hello]}" "hello-world")"
row "pgrunbook plan runbooks/health.yaml" "${med[planhealth]}" "$(versus "${med[planhealth]}" "${med[hello]}" "hello-world")"
row "psql -f (same 100 queries, one session)" "${med[psql]}"
row "pgrunbook run (100 read-only steps)" "${med[steps]}" "$(versus "${med[steps]}" "$base_steps" "(psql -f + hello-world = $base_steps ms)")"
echo "  before: $load_before"
echo "  after:  $(loadavg)"
