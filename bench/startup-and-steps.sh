#!/usr/bin/env bash
# Benchmark for the runbook engine (issue 2): pgrunbook's start-up and a 100-step read-only runbook,
# each beside the baseline a user would otherwise have, in the same run on the same sandbox:
#   - `pgrunbook --version`   vs a bare JVM hello-world      (aim: within 4x)
#   - 100-step runbook        vs psql running the same 100 queries in one session (aim: under 1 s wall)
# Usage: bench/startup-and-steps.sh [RUNS]   (default 10 runs each; the median is reported)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-10}"
work="$(mktemp -d)"
export PGRUNBOOK_STATE_DIR="$work/state"
cleanup() { "$here/pgrunbook" sandbox stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

"$here/scripts/ensure-deps.sh"
(cd "$here" && mvn -q -B -DskipTests package)
psql_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/psql"
[ -x "$psql_bin" ] || psql_bin="$(command -v psql)"

url="$("$here/pgrunbook" sandbox start 2>/dev/null)"

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

# median wall time in milliseconds of running "$@" $runs times
median_ms() {
  local times=()
  for _ in $(seq 1 "$runs"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'
}

"$here/pgrunbook" run "$work/bench.yaml" --db "$url" -q || { echo "the benchmark runbook failed" >&2; exit 1; }

hello=$(median_ms java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -cp "$work/hello" Hello)
version=$(median_ms "$here/pgrunbook" --version)
steps=$(median_ms "$here/pgrunbook" run "$work/bench.yaml" --db "$url" -q)
psql=$(median_ms "$psql_bin" -X -q -d "$url" -f "$work/bench.sql")

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -n 1), $(basename "$(dirname "$(dirname "$psql_bin")")" 2>/dev/null) psql; median of $runs runs"
printf '%-44s %6s ms\n' "JVM hello-world" "$hello"
printf '%-44s %6s ms   %5sx hello-world (aim <= 4x)\n' "pgrunbook --version" "$version" "$(ratio "$version" "$hello")"
printf '%-44s %6s ms\n' "psql -f (same 100 queries, one session)" "$psql"
printf '%-44s %6s ms   %5sx psql (aim < 1000 ms wall)\n' "pgrunbook run (100 read-only steps)" "$steps" "$(ratio "$steps" "$psql")"
echo "  $(loadavg)"
