#!/usr/bin/env bash
# Benchmark for pgrunbook rebalance (issue 9): a local three-node Citus cluster (coordinator + 2 workers)
# whose 3 co-located tables x 32 shards all sit on the first worker; the second worker is enabled and
# the cluster rebalanced (16 shard groups move), by pgrunbook rebalance (plan, start, follow, cleanup,
# the validate-shards checks) beside what a user would otherwise run in psql
# (citus_rebalance_start(); citus_rebalance_wait(); citus_cleanup_orphaned_resources()), in the same
# run, alternately. Between two timed rebalances the second worker is drained again (not timed).
# Needs Citus installed in the local PostgreSQL (citus.so).
# Usage: bench/rebalance-citus.sh [RUNS] [ROWS]   (default 3 runs each, median; 100000 rows per table)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-3}"
rows="${2:-100000}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -f "$bin/../lib/citus.so" ] || skip "Citus is not installed in $bin/../lib (see docs/validate-shards-citus.md)"
work="$(mktemp -d)"; chmod 755 "$work"
ports=(); for i in 0 1 2; do ports+=("$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')"); done
cleanup() { for p in "${ports[@]}"; do as_pg "$bin/pg_ctl -D $work/n$p -m immediate stop" >/dev/null 2>&1 || true; done; rm -rf "$work"; }
trap cleanup EXIT
[ "$(id -u)" = 0 ] && chown postgres "$work"
for p in "${ports[@]}"; do
  as_pg "$bin/initdb -D $work/n$p -U postgres --auth=trust --no-sync -E UTF8 --locale=C" >/dev/null
  as_pg "$bin/pg_ctl -D $work/n$p -l $work/n$p.log -w -o \"-p $p -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work -c shared_preload_libraries=citus -c fsync=off\" start" >/dev/null
  "$bin/psql" -X -q -h 127.0.0.1 -p "$p" -U postgres -c 'CREATE EXTENSION citus'
done
c="${ports[0]}"; w2="${ports[2]}"
url="postgresql://postgres@127.0.0.1:$c/postgres"
sql() { "$bin/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$url" "$@"; }
sql >/dev/null <<SQL
SELECT citus_set_coordinator_host('127.0.0.1', $c);
SELECT citus_add_node('127.0.0.1', ${ports[1]});
SELECT citus_add_node('127.0.0.1', $w2);
SELECT citus_set_node_property('127.0.0.1', $w2, 'shouldhaveshards', false);
SET citus.shard_count = 32;
CREATE TABLE ext_storage_records (tenant_id bigint, key text, value text, PRIMARY KEY (tenant_id, key));
CREATE TABLE ext_storage_schemas (tenant_id bigint, namespace text, json_schema text, PRIMARY KEY (tenant_id, namespace));
CREATE TABLE ext_storage_usage (tenant_id bigint, namespace text, bytes_used bigint, PRIMARY KEY (tenant_id, namespace));
SELECT create_distributed_table('ext_storage_records', 'tenant_id');
SELECT create_distributed_table('ext_storage_schemas', 'tenant_id', colocate_with => 'ext_storage_records');
SELECT create_distributed_table('ext_storage_usage', 'tenant_id', colocate_with => 'ext_storage_records');
INSERT INTO ext_storage_records SELECT i % 1000, 'k' || i, repeat('v', 100) FROM generate_series(1, $rows) i;
INSERT INTO ext_storage_schemas SELECT i % 1000, 'n' || i, '{}' FROM generate_series(1, $rows) i;
INSERT INTO ext_storage_usage SELECT i % 1000, 'n' || i, i FROM generate_series(1, $rows) i;
SQL
(cd "$here" && mvn -q -B -DskipTests package)
warm "$here/pgrunbook"

on_w2() { sql -c "SELECT count(*) FROM pg_dist_placement p JOIN pg_dist_node n USING (groupid) WHERE n.nodeport = $w2"; }
enable() { sql -c "SELECT citus_set_node_property('127.0.0.1', $w2, 'shouldhaveshards', true)" >/dev/null; }
drain_back() {
  sql -c "SELECT citus_set_node_property('127.0.0.1', $w2, 'shouldhaveshards', false)" \
      -c "SELECT citus_rebalance_start(drain_only => true, shard_transfer_mode => 'block_writes')" \
      -c "SELECT citus_rebalance_wait()" -c "CALL citus_cleanup_orphaned_resources()" >/dev/null 2>&1
  [ "$(on_w2)" = 0 ] || fail "the drain left placements on the second worker"
}
manual() {
  sql -c "SELECT citus_rebalance_start(shard_transfer_mode => 'block_writes')" -c "SELECT citus_rebalance_wait()" \
      -c "CALL citus_cleanup_orphaned_resources()"
}
tool=(); hand=()
for i in $(seq 1 "$runs"); do
  enable
  tool+=("$(ms "$here/pgrunbook" rebalance --db "$url" --shard-transfer-mode block_writes --yes -q)")
  moved=$(on_w2); drain_back
  enable
  hand+=("$(ms manual)")
  [ "$(on_w2)" = "$moved" ] || fail "the two rebalances moved different placements: $moved vs $(on_w2)"
  drain_back
done
t=$(printf '%s\n' "${tool[@]}" | median); m=$(printf '%s\n' "${hand[@]}" | median)
echo "Citus 3 nodes, 3 co-located tables x 32 shards x $rows rows, all on one worker; $moved placements moved; median of $runs runs:"
printf '  pgrunbook rebalance (plan, start, follow, cleanup, checks):        %6d ms\n' "$t"
printf '  psql citus_rebalance_start + citus_rebalance_wait + cleanup:       %6d ms\n' "$m"
awk -v t="$t" -v m="$m" 'BEGIN { printf "  ratio pgrunbook / psql: %.2fx\n", (m > 0 ? t / m : 0) }'
# Where pgrunbook's time goes: each step's duration in one more run (the engine's own timing).
enable
"$here/pgrunbook" rebalance --db "$url" --shard-transfer-mode block_writes --yes --format json 2>/dev/null \
  | python3 -c 'import json,sys; r=json.load(sys.stdin); print("  per step (one run):", ", ".join("%s %d ms" % (s["id"], s["duration_ms"]) for s in r["steps"]))'
echo "  load average: $(cut -d" " -f1-3 /proc/loadavg)"
