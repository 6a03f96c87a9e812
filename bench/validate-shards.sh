#!/usr/bin/env bash
# Benchmark for validate-shards (issue 3): an 8-shard set with one shard hung (a listener on
# 127.0.0.1 that accepts TCP and never answers, so the connect timeout really bites), validated by
#   - pgrunbook validate-shards (health, schema parity, routing: shards in parallel), beside
#   - a naive sequential psql loop over the 8 shards running the routing query (the rows per key on
#     each shard), which is what a DBA would otherwise script.
# Aim: pgrunbook's total is about one connect timeout, not eight.
# Usage: bench/validate-shards.sh [RUNS] [CONNECT_TIMEOUT_S]   (defaults 5 and 3; medians reported)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-5}"
timeout_s="${2:-3}"
work="$(mktemp -d)"
export PGRUNBOOK_STATE_DIR="$work/state"
listener_pid=""
cleanup() {
  [ -n "$listener_pid" ] && kill "$listener_pid" 2>/dev/null || true
  "$here/pgrunbook" sandbox stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"$here/scripts/ensure-deps.sh"
(cd "$here" && mvn -q -B -DskipTests package)
psql_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/psql"
[ -x "$psql_bin" ] || psql_bin="$(command -v psql)"

url="$("$here/pgrunbook" sandbox start 2>/dev/null)"
base="${url%/*}"

# The hung shard: accepts connections, never writes a byte.
python3 - "$work/port" <<'PY' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(64)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
held = []
while True:
    c, _ = s.accept(); held.append(c)
PY
listener_pid=$!
for _ in $(seq 1 50); do [ -s "$work/port" ] && break; sleep 0.1; done
hung_port="$(cat "$work/port")"

# Shards 0..6 are databases on the sandbox, each with its restaurants' orders (jump hash over 8);
# shard 7 is the hung one.
shard_args=()
shard_urls=()
for i in 0 1 2 3 4 5 6; do
  "$psql_bin" -X -q -d "$url" -c "CREATE DATABASE bench_shard$i" >/dev/null
  "$psql_bin" -X -q -d "$base/bench_shard$i" -c "CREATE TABLE orders (order_id bigserial PRIMARY KEY, restaurant_id bigint NOT NULL, total numeric); CREATE INDEX ON orders (restaurant_id);" >/dev/null
  shard_urls+=("$base/bench_shard$i?connect_timeout=$timeout_s")
done
shard_urls+=("postgresql://postgres@127.0.0.1:$hung_port/postgres?connect_timeout=$timeout_s")
# Place 2000 restaurants x 10 orders with the same jump hash the tool checks (Python port of the paper).
python3 - "$work" <<'PY'
import sys
M = (1 << 64) - 1
def jump(key, n):
    b, j = -1, 0
    while j < n:
        b = j
        key = (key * 2862933555777941757 + 1) & M
        j = int((b + 1) * (float(1 << 31) / float((key >> 33) + 1)))
    return b
per = {i: [] for i in range(8)}
for r in range(1, 2001):
    per[jump(r, 8)].append(r)
for i in range(7):
    with open(f"{sys.argv[1]}/load{i}.sql", "w") as f:
        f.write("INSERT INTO orders (restaurant_id, total) SELECT r, g FROM unnest(ARRAY[%s]::bigint[]) r, generate_series(1,10) g;\nANALYZE orders;\n"
                % ",".join(map(str, per[i])))
PY
for i in 0 1 2 3 4 5 6; do "$psql_bin" -X -q -d "$base/bench_shard$i" -f "$work/load$i.sql" >/dev/null; done
for i in $(seq 0 7); do shard_args+=(--shard "shard$i=${shard_urls[$i]}"); done

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

naive_loop() {
  for u in "${shard_urls[@]}"; do
    PGCONNECT_TIMEOUT="$timeout_s" "$psql_bin" -X -q -At -d "$u" \
      -c "SELECT restaurant_id, count(*) FROM orders TABLESAMPLE SYSTEM (50) GROUP BY 1 LIMIT 1000" >/dev/null 2>&1 || true
  done
}

# Sanity: the tool names the hung shard and exits 1; the healthy shards pass routing.
set +e
out="$("$here/pgrunbook" validate-shards "${shard_args[@]}" --table orders=restaurant_id --no-color 2>&1)"
code=$?
set -e
echo "$out" | grep -q "target 'shard7' is unavailable" || { echo "validate-shards did not report the hung shard:" >&2; echo "$out" >&2; exit 1; }
[ "$code" = 1 ] || fail "validate-shards exited $code, expected 1"

tool=$(median_ms "$here/pgrunbook" validate-shards "${shard_args[@]}" --table orders=restaurant_id -q)
loop=$(median_ms naive_loop)
healthy_args=("${shard_args[@]:0:14}")
healthy=$(median_ms "$here/pgrunbook" validate-shards "${healthy_args[@]}" --table orders=restaurant_id -q)

echo "validate-shards benchmark: 8 shards (7 live, 20000 orders; 1 hung, connect_timeout=${timeout_s}s), median of $runs runs"
printf '  %-58s %7d ms\n' "pgrunbook validate-shards, 8 shards, 1 hung" "$tool"
printf '  %-58s %7d ms\n' "pgrunbook validate-shards, the 7 live shards only" "$healthy"
printf '  %-58s %7d ms\n' "sequential psql loop over the 8 shards (routing query)" "$loop"
awk -v t="$tool" -v h="$healthy" -v l="$loop" -v c="$timeout_s" 'BEGIN {
  printf "  hung-shard cost (8 shards - 7 live): %.2f s = %.2f connect timeouts\n", (t - h) / 1000, (t - h) / 1000 / c;
  printf "  pgrunbook / psql loop: %.2f\n", t / l }'
echo "  $(loadavg)"
