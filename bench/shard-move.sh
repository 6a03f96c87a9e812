#!/usr/bin/env bash
# Benchmark for shard-move (issue 9): growing a jump-hash shard set from 4 to 5 shards (seed 004:
# restaurants and their orders keyed by restaurant_id), pgrunbook shard-move run beside the manual
# way a DBA would otherwise script it, in the same run on the same sandbox, each on identical copies
# of the shards (CREATE DATABASE ... TEMPLATE):
#   manual: per source shard and table, psql \copy (SELECT ... WHERE restaurant_id = ANY(moving keys))
#           TO STDOUT piped into psql \copy ... FROM STDIN on the new shard, then DELETE on the source
#           (children first). No change capture, no verify, no resume, no cutover: writes made while it
#           runs are lost, which is why the tool exists.
#   tool:   pgrunbook shard-move run (setup, batched copy, catch-up, full verify, cutover with a
#           second verify, cleanup), --grace 0s.
# Prints rows/s for both (moved rows / wall seconds, median of RUNS) and their ratio.
# Usage: bench/shard-move.sh [RUNS] [RESTAURANTS] [ORDERS_EACH]  (default 3 runs, 10000 x 100 = 1 M
#        orders, about 250 k rows per shard, about 200 k rows moving)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-3}"
restaurants="${2:-10000}"
orders="${3:-100}"
work="$(mktemp -d)"
export PGRUNBOOK_STATE_DIR="$work/state"
cleanup() { "$here/pgrunbook" sandbox stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

[ -x "$here/scripts/ensure-deps.sh" ] && "$here/scripts/ensure-deps.sh"
(cd "$here" && mvn -q -B -DskipTests package)
pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
psql_bin="$pgbin/psql"
[ -x "$psql_bin" ] || psql_bin="$(command -v psql)"
url="$("$here/pgrunbook" sandbox start 2>/dev/null)"
base="${url%/*}"
jar="$here/target/pgrunbook.jar"
q() { "$psql_bin" -X -q -v ON_ERROR_STOP=1 -d "$base/$1" -c "$2"; }

java -cp "$jar" "$here/bench/ShardMoveKeys.java" "$restaurants" > "$work/keys.txt"
keys() { awk -v k="$1" -v s="$2" '$1 == k && $2 == s {print $3}' "$work/keys.txt"; }

echo "building the templates: 4 shards, $restaurants restaurants x $orders orders ..." >&2
schema="CREATE TABLE restaurants (restaurant_id bigint PRIMARY KEY, name text NOT NULL, city text, opened date);
CREATE TABLE orders (order_id bigint PRIMARY KEY, restaurant_id bigint NOT NULL REFERENCES restaurants,
                     total numeric(10,2) NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL);
CREATE INDEX orders_restaurant ON orders (restaurant_id);"
for s in 0 1 2 3 4; do
  q postgres "CREATE DATABASE t$s"
  q "t$s" "$schema"
done
for s in 0 1 2 3; do
  "$psql_bin" -X -q -v ON_ERROR_STOP=1 -d "$base/t$s" <<SQL
INSERT INTO restaurants SELECT r, 'restaurant ' || r, 'city ' || (r % 97), date '2020-01-01' + (r % 1000)::int
  FROM unnest('$(keys home $s)'::bigint[]) r;
INSERT INTO orders SELECT r * 1000 + g, r, ((r * 31 + g) % 10000) / 100.0, CASE WHEN g % 7 = 0 THEN 'refunded' ELSE 'paid' END,
       timestamptz '2024-01-01' + (g * interval '1 hour')
  FROM restaurants, LATERAL (SELECT restaurant_id AS r) x, generate_series(1, $orders) g;
VACUUM ANALYZE;
SQL
done
moving_rows=0
for s in 0 1 2 3; do
  n=$("$psql_bin" -X -At -d "$base/t$s" -c "SELECT (SELECT count(*) FROM restaurants WHERE restaurant_id = ANY('$(keys move $s)'::bigint[]))
                                                 + (SELECT count(*) FROM orders WHERE restaurant_id = ANY('$(keys move $s)'::bigint[]))")
  moving_rows=$((moving_rows + n))
done
echo "rows moving to the new shard: $moving_rows" >&2

fresh() { # fresh PREFIX: shards PREFIX0..PREFIX4 from the templates
  for s in 0 1 2 3 4; do q postgres "DROP DATABASE IF EXISTS $1$s" 2>/dev/null; q postgres "CREATE DATABASE $1$s TEMPLATE t$s"; done
}
manual() { # the DBA's script
  for s in 0 1 2 3; do
    k="$(keys move $s)"
    for t in restaurants orders; do
      "$psql_bin" -X -q -v ON_ERROR_STOP=1 -d "$base/m$s" -c "\\copy (SELECT * FROM $t WHERE restaurant_id = ANY('$k'::bigint[])) TO STDOUT" \
        | "$psql_bin" -X -q -v ON_ERROR_STOP=1 -d "$base/m4" -c "\\copy $t FROM STDIN"
    done
    q "m$s" "DELETE FROM orders WHERE restaurant_id = ANY('$k'::bigint[]); DELETE FROM restaurants WHERE restaurant_id = ANY('$k'::bigint[])"
  done
}

: > "$work/tool.txt"; : > "$work/manual.txt"; : > "$work/phases.txt"
for run in $(seq 1 "$runs"); do
  fresh p; fresh m
  q postgres "CHECKPOINT"
  t0=$(date +%s%N)
  "$here/pgrunbook" shard-move run --shard "shard0=$base/p0" --shard "shard1=$base/p1" --shard "shard2=$base/p2" \
    --shard "shard3=$base/p3" --new-shard "shard4=$base/p4" --table restaurants=restaurant_id --table orders=restaurant_id \
    --batch-size 5000 --grace 0s --yes > "$work/tool.out" || { cat "$work/tool.out" >&2; exit 1; }
  t1=$(date +%s%N)
  q postgres "CHECKPOINT"
  t2=$(date +%s%N)
  manual
  t3=$(date +%s%N)
  got=$("$psql_bin" -X -At -d "$base/p4" -c "SELECT (SELECT count(*) FROM restaurants) + (SELECT count(*) FROM orders)")
  [ "$got" = "$moving_rows" ] || fail "shard-move left $got rows on the new shard, expected $moving_rows"
  got=$("$psql_bin" -X -At -d "$base/m4" -c "SELECT (SELECT count(*) FROM restaurants) + (SELECT count(*) FROM orders)")
  [ "$got" = "$moving_rows" ] || fail "the manual copy left $got rows on the new shard, expected $moving_rows"
  awk -v a="$t0" -v b="$t1" 'BEGIN {print (b - a) / 1e9}' >> "$work/tool.txt"
  awk -v a="$t2" -v b="$t3" 'BEGIN {print (b - a) / 1e9}' >> "$work/manual.txt"
  # the tool's own moving work, without its checks: the copy and cleanup phases
  awk '$2 == "copy" || $2 == "cleanup" {s += $3} END {print s}' "$work/tool.out" >> "$work/phases.txt"
  echo "run $run: shard-move $(tail -n1 "$work/tool.txt") s, manual $(tail -n1 "$work/manual.txt") s" >&2
  grep -E "^ +(PASS|WARN|FAIL) +(copy|catch-up|verify|cutover|cleanup)" "$work/tool.out" | sed 's/^ */    /' | cut -c1-60 >&2 || true
done

ts=$(median < "$work/tool.txt"); ms=$(median < "$work/manual.txt"); ps=$(median < "$work/phases.txt")
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -n 1), PostgreSQL $("$psql_bin" -X -At -d "$url" -c 'SHOW server_version'); median of $runs runs"
echo "data: 4 shards, $restaurants restaurants x $orders orders ($((restaurants * (orders + 1))) rows), $moving_rows rows move to shard 4"
printf '%-52s %10s %10s\n' "" "seconds" "rows/s"
printf '%-52s %10s %10.0f\n' "manual: psql \\copy | psql \\copy, then DELETE" "$ms" "$(awk -v r="$moving_rows" -v s="$ms" 'BEGIN {print r / s}')"
printf '%-52s %10s %10.0f\n' "pgrunbook shard-move run (copy+verify x2+cleanup)" "$ts" "$(awk -v r="$moving_rows" -v s="$ts" 'BEGIN {print r / s}')"
printf '%-52s %10s %10.0f\n' "  of which its copy + cleanup phases" "$ps" "$(awk -v r="$moving_rows" -v s="$ps" 'BEGIN {print r / s}')"
awk -v t="$ts" -v m="$ms" -v p="$ps" 'BEGIN {printf "ratio (copy + cleanup phases only): %.2fx the manual copy\n", m / p}'
awk -v t="$ts" -v m="$ms" 'BEGIN {printf "ratio: shard-move rows/s = %.2fx the manual copy (which catches no concurrent write and verifies nothing)\n", m / t}'
echo "  $(loadavg)"
