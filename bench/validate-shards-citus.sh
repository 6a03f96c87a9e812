#!/usr/bin/env bash
# Benchmark for validate-shards (Citus half, issue 3): `pgrunbook validate-shards --citus` (the whole runbooks/validate-shards-citus.yaml
# checklist) against a local three-node Citus cluster (coordinator + 2 workers) holding 32 shards x 3
# co-located tables, beside the seed 000 manual psql queries (distribution, shard health, a smoke query
# per shard via run_command_on_shards, the node-health call) in the same run. Aims: the checklist in
# under 2 s wall, and (issue 20) at most 1.0x the psql script, JVM start included.
# Needs Citus installed in the local PostgreSQL (citus.so); see docs/validate-shards-citus.md.
# Usage: bench/validate-shards-citus.sh [RUNS]   (default 10 runs each, at least 5; the median is reported)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-10}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -f "$bin/../lib/citus.so" ] || skip "Citus is not installed in $bin/../lib (see docs/validate-shards-citus.md)"
work="$(mktemp -d)"; chmod 755 "$work"
# BENCH_PORTS="7510 7511 7512" pins the three ports (a machine shared by several people); else free ones are picked.
if [ -n "${BENCH_PORTS:-}" ]; then read -r -a ports <<< "$BENCH_PORTS"; else
  ports=(); for i in 0 1 2; do ports+=("$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')"); done
fi
cleanup() { for p in "${ports[@]}"; do as_pg "$bin/pg_ctl -D $work/n$p -m immediate stop" >/dev/null 2>&1 || true; done; rm -rf "$work"; }
trap cleanup EXIT
[ "$(id -u)" = 0 ] && chown postgres "$work"
for p in "${ports[@]}"; do
  as_pg "$bin/initdb -D $work/n$p -U postgres --auth=trust --no-sync -E UTF8 --locale=C" >/dev/null
  as_pg "$bin/pg_ctl -D $work/n$p -l $work/n$p.log -w -o \"-p $p -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work -c shared_preload_libraries=citus -c fsync=off\" start" >/dev/null
  "$bin/psql" -X -q -h 127.0.0.1 -p "$p" -U postgres -c 'CREATE EXTENSION citus'
done
c="${ports[0]}"
"$bin/psql" -X -q -h 127.0.0.1 -p "$c" -U postgres -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT citus_set_coordinator_host('127.0.0.1', $c);
SELECT citus_add_node('127.0.0.1', ${ports[1]});
SELECT citus_add_node('127.0.0.1', ${ports[2]});
SET citus.shard_count = 32;
CREATE TABLE ext_storage_records (tenant_id uuid, install_id uuid, namespace text, key text, value jsonb, PRIMARY KEY (tenant_id, install_id, namespace, key));
CREATE TABLE ext_storage_schemas (tenant_id uuid, install_id uuid, namespace text, json_schema jsonb, PRIMARY KEY (tenant_id, install_id, namespace));
CREATE TABLE ext_storage_usage (tenant_id uuid, install_id uuid, namespace text, bytes_used bigint, PRIMARY KEY (tenant_id, install_id, namespace));
SELECT create_distributed_table('ext_storage_records', 'tenant_id');
SELECT create_distributed_table('ext_storage_schemas', 'tenant_id', colocate_with => 'ext_storage_records');
SELECT create_distributed_table('ext_storage_usage', 'tenant_id', colocate_with => 'ext_storage_records');
INSERT INTO ext_storage_records SELECT md5(i::text)::uuid, md5(i::text)::uuid, 'ns', 'k', '{}' FROM generate_series(1, 5000) i;
SQL
cat > "$work/manual.sql" <<'SQL'
SELECT logicalrelid, partmethod, colocationid FROM pg_dist_partition
WHERE logicalrelid IN ('ext_storage_records'::regclass, 'ext_storage_schemas'::regclass, 'ext_storage_usage'::regclass);
SELECT count(*) FROM pg_dist_partition WHERE partmethod = 'n' AND repmodel = 't';
SELECT shardid, nodename, nodename || ':' || nodeport AS node, shardstate
FROM pg_dist_shard_placement p JOIN pg_dist_shard s USING (shardid)
WHERE s.logicalrelid = 'ext_storage_records'::regclass ORDER BY shardid;
SELECT table_name, shardid, nodename, nodeport, shard_size FROM citus_shards;
SELECT * FROM run_command_on_shards('ext_storage_records', 'SELECT 1 FROM %s LIMIT 1');
SELECT * FROM run_command_on_shards('ext_storage_schemas', 'SELECT 1 FROM %s LIMIT 1');
SELECT * FROM run_command_on_shards('ext_storage_usage', 'SELECT 1 FROM %s LIMIT 1');
SELECT * FROM citus_check_cluster_node_health();
SQL
(cd "$here" && mvn -q -B -DskipTests package)
warm "$here/pgrunbook"
url="postgresql://postgres@127.0.0.1:$c/postgres"
tool=(); manual=()
for i in $(seq 1 "$runs"); do
  tool+=("$(ms "$here/pgrunbook" validate-shards --citus --db "$url")")
  manual+=("$(ms "$bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$url" -f "$work/manual.sql")")
done
t=$(printf '%s\n' "${tool[@]}" | median); m=$(printf '%s\n' "${manual[@]}" | median)
echo "Citus 3 nodes, 32 shards x 3 tables, median of $runs runs:"
printf '  pgrunbook validate-shards --citus (9 steps): %6d ms     (aim < 2000 ms: %s)\n' "$t" "$([ "$t" -lt 2000 ] && echo met || echo MISSED)"
printf '  psql, the seed manual queries (partial checks):  %6d ms\n' "$m"
awk -v t="$t" -v m="$m" 'BEGIN { r = (m > 0 ? t / m : 0); printf "  ratio pgrunbook / psql: %.2fx (aim <= 1.0x: %s)\n", r, (r <= 1.0 ? "met" : "MISSED") }'
# Where the time goes: each step's duration in one more run (the engine's own timing, from the JSON report).
"$here/pgrunbook" validate-shards --citus --db "$url" --format json 2>/dev/null \
  | python3 -c 'import json,sys; r=json.load(sys.stdin); print("  per step (one run):", ", ".join("%s %d ms" % (s["id"], s["duration_ms"]) for s in r["steps"]))'
echo "  -v names the $("$here/pgrunbook" validate-shards --citus --db "$url" -v 2>&1 >/dev/null | grep -o 'slowest step: .*' || echo 'slowest step: (not printed: FAILED)')"
echo "  $(loadavg)"
