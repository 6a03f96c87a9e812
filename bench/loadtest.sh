#!/usr/bin/env bash
# Benchmark for loadtest (issue 7): pgrunbook loadtest beside pgbench on the same sandbox, same
# table, same primary-key lookup, in the same run:
#   1. closed model, 8 connections, as fast as they go: pgrunbook ops/s vs pgbench -M prepared TPS (issue 20: at least 1.0x in 4 of 5 runs)
#   2. open model at a fixed rate (pgbench -R): achieved rate vs target, and latency percentiles
# pgbench -R reports average latency and (with --latency-limit) late transactions; pgrunbook also
# reports p50/p95/p99/p99.9/max measured from the intended start and a PASS/FAIL per SLO.
# Usage: bench/loadtest.sh [RUNS] [SECONDS] [RATE]   (defaults 5 runs, 10 s, 1000/s; medians and each run reported)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-5}"; secs="${2:-10}"; rate="${3:-1000}"
work="$(mktemp -d)"
export PGRUNBOOK_STATE_DIR="$work/state"
cleanup() { "$here/pgrunbook" sandbox stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

(cd "$here" && mvn -q -B -DskipTests package)
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
pgbench="$bin/pgbench"; [ -x "$pgbench" ] || pgbench="$(command -v pgbench)"
psql="$bin/psql"; [ -x "$psql" ] || psql="$(command -v psql)"
url="$("$here/pgrunbook" sandbox start 2>/dev/null)"
"$psql" -q -d "$url" -c "DROP TABLE IF EXISTS bench_kv; CREATE TABLE bench_kv (k int PRIMARY KEY, v text);
  INSERT INTO bench_kv SELECT g, md5(g::text) FROM generate_series(1, 100000) g; ANALYZE bench_kv;"
echo '\set k random(1, 100000)
SELECT v FROM bench_kv WHERE k = :k;' > "$work/lookup.sql"

runbook() { # model rate-or-empty
  cat <<YAML
name: bench-loadtest
targets: { db: { url: "$url" } }
steps:
  - id: lookup
    type: loadtest
    with:
      operations:
        lookup: { weight: 100, sql: "SELECT v FROM bench_kv WHERE k = :k", params: { k: { uniform: { min: 1, max: 100000 } } } }
      workload: { model: $1, ${2:+rate: $2/s, arrivals: uniform,} connections: 8, duration: ${secs}s, warmup: 1s }
      slos: { p95: { lookup: 5ms }, max_error_rate: 0 }
YAML
}
runbook closed "" > "$work/closed.yaml"
runbook open "$rate" > "$work/open.yaml"
metric() { # file name [label-filter]
  python3 -c "import json,sys
r=json.load(open(sys.argv[1]))
for m in r['steps'][0]['metrics']:
    if m['name']==sys.argv[2] and all(sys.argv[3] in str(v) for v in [m.get('labels',{})]): print(m['value']); break" "$@"
}
: > "$work/pg_closed"; : > "$work/lt_closed"; : > "$work/pg_open"; : > "$work/lt_open"; : > "$work/lt_p99"; : > "$work/pg_lat"
for i in $(seq 1 "$runs"); do
  "$pgbench" -n -M prepared -c 8 -j 2 -T "$secs" -f "$work/lookup.sql" "$url" 2>/dev/null | awk '/^tps/ {print $3}' >> "$work/pg_closed"
  "$here/pgrunbook" run "$work/closed.yaml" -q --yes --report "json=$work/closed.json" >/dev/null || true
  metric "$work/closed.json" pgrunbook_loadtest_throughput_ops_per_second "" >> "$work/lt_closed"
  "$pgbench" -n -M prepared -c 8 -j 2 -T "$secs" -R "$rate" -f "$work/lookup.sql" "$url" 2>/dev/null > "$work/pgopen.txt"
  awk '/^tps/ {print $3}' "$work/pgopen.txt" >> "$work/pg_open"
  awk '/^latency average/ {print $4}' "$work/pgopen.txt" >> "$work/pg_lat"
  "$here/pgrunbook" run "$work/open.yaml" -q --yes --report "json=$work/open.json" >/dev/null || true
  metric "$work/open.json" pgrunbook_loadtest_throughput_ops_per_second "" >> "$work/lt_open"
  python3 -c "import json
r=json.load(open('$work/open.json'))
print([m['value'] for m in r['steps'][0]['metrics'] if m['name']=='pgrunbook_loadtest_latency_seconds' and m['labels'].get('quantile')=='0.99'][0]*1000)" >> "$work/lt_p99"
done
pc=$(median < "$work/pg_closed"); lc=$(median < "$work/lt_closed")
po=$(median < "$work/pg_open"); lo=$(median < "$work/lt_open")
echo "closed model, 8 connections, ${secs}s, median of $runs:"
printf '  pgbench -M prepared  %10.1f tps\n  pgrunbook loadtest   %10.1f ops/s   ratio %.2fx\n' "$pc" "$lc" "$(python3 -c "print($lc/$pc)")"
# Run by run (each pair ran back to back): the aim is pgrunbook at least as fast in 4 of 5 runs.
paste "$work/pg_closed" "$work/lt_closed" | awk '{ r = ($1 > 0) ? $2 / $1 : 0; w += (r >= 1.0); printf "  run %d: pgbench %.0f tps, pgrunbook %.0f ops/s, %.2fx\n", NR, $1, $2, r }
  END { printf "  pgrunbook at least as fast as pgbench in %d of %d runs\n", w, NR }'
echo "open model at ${rate}/s, 8 connections, ${secs}s, median of $runs:"
printf '  pgbench -R           %10.1f tps (%.2f %% of target), latency average %s ms (no percentiles)\n' "$po" "$(python3 -c "print($po/$rate*100)")" "$(median < "$work/pg_lat")"
printf '  pgrunbook loadtest   %10.1f ops/s (%.2f %% of target), p99 from intended start %.2f ms\n' "$lo" "$(python3 -c "print($lo/$rate*100)")" "$(median < "$work/lt_p99")"
echo "pgrunbook's last open-model verdicts (what pgbench cannot say):"
"$here/pgrunbook" run "$work/open.yaml" --yes -v 2>/dev/null | grep -E 'p95|error rate|latency|throughput|SLOs' | head -8 || true
echo "  $(loadavg)"
