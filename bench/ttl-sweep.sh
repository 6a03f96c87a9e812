#!/usr/bin/env bash
# Benchmark for ttl-sweep (issue 6): deleting the expired half of 2 M ext_storage_records rows
# (seed 001 schema, its partial TTL index), pgrunbook ttl-sweep beside the single statement a user
# would otherwise run, DELETE FROM ext_storage_records WHERE expires_at < now(), in the same run on
# the same sandbox, each on an identical copy of the data (CREATE DATABASE ... TEMPLATE), each with a
# concurrent writer updating random rows (live and expired) and recording its latency.
# Reports rows/s, the longest transaction (a sweep batch; the whole DELETE), the writer's p99 and max.
# Usage: bench/ttl-sweep.sh [RUNS] [TENANTS]   (default 3 runs, median; 200 tenants x 2 installs x
#        5 namespaces x 1000 keys = 2 M rows, every other key expired)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-3}"
tenants="${2:-200}"
installs=2; namespaces=5; keys=1000
work="$(mktemp -d)"
export PGRUNBOOK_STATE_DIR="$work/state"
cleanup() { "$here/pgrunbook" sandbox stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

[ -x "$here/scripts/ensure-deps.sh" ] && "$here/scripts/ensure-deps.sh"
(cd "$here" && mvn -q -B -DskipTests package)
psql_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/psql"
[ -x "$psql_bin" ] || psql_bin="$(command -v psql)"
url="$("$here/pgrunbook" sandbox start 2>/dev/null)"
base="${url%/*}"
jar="$here/target/pgrunbook.jar"
userhost="${base#postgresql://}"          # user@host:port
jdbc() { echo "jdbc:postgresql://${userhost#*@}/$1?user=${userhost%%@*}"; }
q() { "$psql_bin" -X -q -v ON_ERROR_STOP=1 -d "$base/$1" -c "$2"; }

echo "building the template: $((tenants * installs * namespaces * keys)) rows ..." >&2
q postgres "CREATE DATABASE ttl_template"
"$psql_bin" -X -q -v ON_ERROR_STOP=1 -d "$base/ttl_template" <<SQL
CREATE TABLE ext_storage_records (
    tenant_id uuid NOT NULL, install_id uuid NOT NULL, namespace text NOT NULL, key text NOT NULL,
    value jsonb NOT NULL, revision bigint NOT NULL DEFAULT 1, expires_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ext_storage_records_pkey PRIMARY KEY (tenant_id, install_id, namespace, key));
INSERT INTO ext_storage_records (tenant_id, install_id, namespace, key, value, expires_at)
SELECT md5('tenant-' || t)::uuid, md5('install-' || t || '-' || i)::uuid, 'ns-' || n, 'key-' || lpad(k::text, 5, '0'),
       jsonb_build_object('n', k), CASE WHEN k % 2 = 0 THEN now() - interval '1 day' - k * interval '1 second'
                                        WHEN k % 4 = 1 THEN now() + interval '30 days' END
FROM generate_series(1, $tenants) t, generate_series(1, $installs) i, generate_series(1, $namespaces) n, generate_series(1, $keys) k;
CREATE INDEX ext_storage_records_ttl_idx ON ext_storage_records (tenant_id, install_id, namespace, expires_at) WHERE expires_at IS NOT NULL;
VACUUM ANALYZE ext_storage_records;
-- A VACUUM right after the load leaves about 40 % of the pages not all-visible (autoanalyze holds a
-- snapshot while it runs); a table that has built up an expired backlog has been vacuumed since.
VACUUM ext_storage_records;
-- Both ways leave a million dead rows; autovacuum cleaning them up during the next measured run
-- (the other database's, or the next pair's) only adds noise to both.
ALTER TABLE ext_storage_records SET (autovacuum_enabled = false);
SQL

# start_writer DB: the probe in the background; waits until it is connected
start_writer() {
  rm -f "$work/stop" "$work/stop.ready"
  java -cp "$jar" "$here/bench/TtlWriterProbe.java" "$(jdbc "$1")" "$work/stop" "$tenants" "$installs" "$namespaces" "$keys" > "$work/writer.out" &
  writer=$!
  while [ ! -f "$work/stop.ready" ]; do sleep 0.1; done
  sleep 0.5
}
# not in $(...): wait only works in the shell that started the writer
stop_writer() { touch "$work/stop"; wait "$writer"; }
metric() { awk -v m="$1" '$1 ~ "^"m"[{ ]" {print $NF; exit}' "$2"; }

: > "$work/sweep.txt"; : > "$work/delete.txt"; : > "$work/sweep_quiet.txt"; : > "$work/delete_quiet.txt"
for run in $(seq 1 "$runs"); do
  for db in sweep_db delete_db; do q postgres "DROP DATABASE IF EXISTS $db" 2>/dev/null; q postgres "CREATE DATABASE $db TEMPLATE ttl_template"; done
  q postgres "CHECKPOINT"

  start_writer sweep_db
  "$here/pgrunbook" ttl-sweep --db "$base/sweep_db" --yes -q --report "prometheus=$work/sweep.prom" || true
  stop_writer; w=$(cat "$work/writer.out")
  rows=$(metric ttl_sweep_rows_deleted "$work/sweep.prom")
  secs=$(metric ttl_sweep_deleting_seconds "$work/sweep.prom")
  longest=$(metric ttl_sweep_longest_batch_seconds "$work/sweep.prom")
  echo "$rows $secs $(awk -v a="$longest" 'BEGIN {print a * 1000}') $w $(metric ttl_sweep_duration_seconds "$work/sweep.prom")" >> "$work/sweep.txt"

  q postgres "CHECKPOINT"
  start_writer delete_db
  t0=$(date +%s%N)
  out=$("$psql_bin" -X -d "$base/delete_db" -c "DELETE FROM ext_storage_records WHERE expires_at < now()" 2>&1)
  t1=$(date +%s%N)
  stop_writer; w=$(cat "$work/writer.out")
  drows=$(echo "$out" | awk '/DELETE/ {print $2}')
  [ -n "$drows" ] || fail "the DELETE failed: $out"
  dsecs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {print (b - a) / 1e9}')
  echo "$drows $dsecs $(awk -v s="$dsecs" 'BEGIN {print s * 1000}') $w" >> "$work/delete.txt"
  left=$("$psql_bin" -X -At -d "$base/sweep_db" -c "SELECT count(*) FROM ext_storage_records WHERE expires_at < now() - interval '1 minute'")
  skipped=$(( $(metric ttl_cleanup_skipped_locked_total "$work/sweep.prom" | cut -d. -f1) + $(metric ttl_cleanup_changed_rows_total "$work/sweep.prom" | cut -d. -f1) ))
  # Rows the writer held at the moment their batch came are skipped (not waited for), counted, left for the next run.
  [ "$left" -le "${skipped%.*}" ] || fail "the sweep left $left expired rows but skipped or saw changed only $skipped"
  echo "run $run: sweep skipped $skipped rows the writer held or had just updated (left for the next run); $(metric ttl_sweep_held_row_tries_total "$work/sweep.prom") deletes met a held row, $(metric ttl_sweep_skip_locked_batches_total "$work/sweep.prom") batches ran with SKIP LOCKED" >&2
  echo "run $run: sweep $(tail -n1 "$work/sweep.txt"); delete $(tail -n1 "$work/delete.txt")" >&2

  # The same pair without the writer: on 2 cores the writer, which the DELETE blocks and the sweep
  # does not, takes CPU from the sweep alone; this pair shows the deleting itself.
  for db in sweep_db delete_db; do q postgres "DROP DATABASE IF EXISTS $db" 2>/dev/null; q postgres "CREATE DATABASE $db TEMPLATE ttl_template"; done
  q postgres "CHECKPOINT"
  "$here/pgrunbook" ttl-sweep --db "$base/sweep_db" --yes -q --report "prometheus=$work/quiet.prom" || true
  echo "$(metric ttl_sweep_rows_deleted "$work/quiet.prom") $(metric ttl_sweep_deleting_seconds "$work/quiet.prom")" >> "$work/sweep_quiet.txt"
  q postgres "CHECKPOINT"
  t0=$(date +%s%N)
  out=$("$psql_bin" -X -d "$base/delete_db" -c "DELETE FROM ext_storage_records WHERE expires_at < now()" 2>&1)
  t1=$(date +%s%N)
  echo "$(echo "$out" | awk '/DELETE/ {print $2}') $(awk -v a="$t0" -v b="$t1" 'BEGIN {print (b - a) / 1e9}')" >> "$work/delete_quiet.txt"
  echo "run $run, no writer: sweep $(tail -n1 "$work/sweep_quiet.txt"); delete $(tail -n1 "$work/delete_quiet.txt")" >&2
done

col() { awk -v c="$1" '{print $c}' "$2" | median; }
rps() { awk -v r="$(col 1 "$1")" -v s="$(col 2 "$1")" 'BEGIN {printf "%.0f", r / s}'; }
s_rps=$(rps "$work/sweep.txt"); d_rps=$(rps "$work/delete.txt")
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -n 1), PostgreSQL $("$psql_bin" -X -At -d "$url" -c 'SHOW server_version'); median of $runs runs"
echo "data: $((tenants * installs * namespaces * keys)) rows, $(col 1 "$work/sweep.txt") expired, $((tenants * installs * namespaces)) scopes; writer: random single-row UPDATEs"
printf '%-34s %10s %10s %14s %14s %12s %12s\n' "" "rows/s" "seconds" "end-to-end s" "longest tx ms" "writer p99" "writer max"
printf '%-34s %10s %10s %14s %14s %12s %12s\n' "DELETE ... WHERE expires_at < now()" "$d_rps" "$(col 2 "$work/delete.txt")" "$(col 2 "$work/delete.txt")" "$(col 3 "$work/delete.txt")" "$(col 6 "$work/delete.txt") ms" "$(col 7 "$work/delete.txt") ms"
printf '%-34s %10s %10s %14s %14s %12s %12s\n' "pgrunbook ttl-sweep" "$s_rps" "$(col 2 "$work/sweep.txt")" "$(col 8 "$work/sweep.txt")" "$(col 3 "$work/sweep.txt")" "$(col 6 "$work/sweep.txt") ms" "$(col 7 "$work/sweep.txt") ms"
e_rps=$(awk -v r="$(col 1 "$work/sweep.txt")" -v s="$(col 8 "$work/sweep.txt")" 'BEGIN {printf "%.0f", r / s}')
echo "(the sweep's seconds are its deleting phase, first batch to last; end-to-end adds its backlog counts before and after, which the DELETE does not do)"
q_s=$(rps "$work/sweep_quiet.txt"); q_d=$(rps "$work/delete_quiet.txt")
echo "without the writer: DELETE $q_d rows/s ($(col 2 "$work/delete_quiet.txt") s), ttl-sweep $q_s rows/s deleting ($(col 2 "$work/sweep_quiet.txt") s): $(awk -v a="$q_s" -v b="$q_d" 'BEGIN {printf "%.2f", a / b}')x"
awk -v s="$s_rps" -v e="$e_rps" -v d="$d_rps" -v sm="$(col 7 "$work/sweep.txt")" -v dm="$(col 7 "$work/delete.txt")" -v lb="$(col 3 "$work/sweep.txt")" 'BEGIN {
  printf "ratio: sweep rows/s = %.2fx the single DELETE while deleting (aim >= 0.7x), %.2fx end to end; longest sweep batch %.0f ms (aim <= 250 ms); writer max wait %.2fx lower with the sweep\n", s / d, e / d, lb, dm / sm }'
echo "  $(loadavg)"
