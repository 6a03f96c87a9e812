#!/usr/bin/env bash
# Benchmark for the checks catalog (issue 8): the catalog runbook against the same checks done the way
# a DBA would otherwise do them, in the same run on the same sandbox:
#   - check_postgres.pl (Debian package check-postgres) with its comparable actions, when installed;
#   - psql running the equivalent catalogue queries in one session (always).
# Usage: bench/checks.sh [RUNS]   (default 10 runs each; medians and ratios are printed)
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
"$psql_bin" -X -q -d "$url" -f "$here/runbooks/sample/storage-schema.sql" >/dev/null

# The checks check_postgres also has (backends, txn_idle, query_time, locks, txn_wraparound,
# hitratio, sequence, bloat, archive_ready-ish), as one catalog runbook.
cat > "$work/catalog.yaml" <<'YAML'
name: bench-checks
defaults: { severity: warning }
steps:
  - { id: connections, type: check.connections }
  - { id: idle, type: check.idle_in_transaction }
  - { id: long, type: check.long_running }
  - { id: blocked, type: check.blocked }
  - { id: xid, type: check.xid_wraparound }
  - { id: cache, type: check.cache_hit_ratio }
  - { id: sequences, type: check.sequences }
  - { id: bloat, type: check.bloat }
  - { id: unused, type: check.unused_indexes }
  - { id: dups, type: check.duplicate_indexes }
YAML

# The psql baseline: the catalog's own queries, thresholds left to the reader.
cat > "$work/checks.sql" <<'SQL'
SELECT state, count(*) FROM pg_stat_activity GROUP BY state;
SELECT pid FROM pg_stat_activity WHERE state LIKE 'idle in transaction%' AND state_change < now() - interval '30 s';
SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query_start < now() - interval '1 min';
SELECT pid, pg_blocking_pids(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock';
SELECT datname, age(datfrozenxid) FROM pg_database;
SELECT blks_hit, blks_read FROM pg_stat_database WHERE datname = current_database();
SELECT sequencename, last_value, max_value FROM pg_sequences;
SELECT relname, relpages, reltuples FROM pg_class WHERE relkind IN ('r', 'i');
SELECT indexrelname FROM pg_stat_user_indexes WHERE idx_scan = 0;
SELECT a.indexrelid, b.indexrelid FROM pg_index a JOIN pg_index b ON a.indrelid = b.indrelid AND a.indexrelid < b.indexrelid AND a.indkey::text = b.indkey::text;
SQL

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

"$here/pgrunbook" run "$work/catalog.yaml" --db "$url" --format nagios || true
catalog=$(median_ms "$here/pgrunbook" run "$work/catalog.yaml" --db "$url" -q)
psql=$(median_ms "$psql_bin" -X -q -d "$url" -f "$work/checks.sql")
echo "runs per measurement: $runs (median wall time)"
echo "pgrunbook catalog runbook (10 checks):   ${catalog} ms"
echo "psql, the 10 equivalent queries:         ${psql} ms   ratio pgrunbook/psql = $(ratio "$catalog" "$psql")"

if command -v check_postgres.pl >/dev/null 2>&1 || command -v check_postgres >/dev/null 2>&1; then
  cp_bin="$(command -v check_postgres.pl || command -v check_postgres)"
  port="$(echo "$url" | sed -E 's#.*:([0-9]+)/.*#\1#')"
  cpg() {
    for action in backends txn_idle query_time locks txn_wraparound hitratio sequence bloat; do
      "$cp_bin" --host=127.0.0.1 --port="$port" --dbuser=postgres --dbname=postgres --action="$action" >/dev/null 2>&1 || true
    done
  }
  cp=$(median_ms cpg)
  echo "check_postgres.pl, 8 comparable actions: ${cp} ms   ratio pgrunbook/check_postgres = $(ratio "$catalog" "$cp")"
else
  echo "check_postgres.pl is not installed (apt-get install check-postgres): compared with psql only"
fi
echo "  $(loadavg)"
