#!/usr/bin/env bash
# Benchmark for runbooks/gdpr-delete.yaml (issue 9): erase one customer from four shards (four databases
# of one sandbox server, each with FK-linked customers / orders / payments), pgrunbook run beside what a
# user would otherwise do, the seed's statements in the right order with psql, one transaction per
# shard, one shard after the other, in the same run. Every run erases a different customer.
# Usage: bench/gdpr-delete.sh [RUNS] [CUSTOMERS_PER_SHARD]   (default 9 runs, median; 20000 customers,
#        5 orders and 10 payments each, per shard)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-9}"
customers="${2:-20000}"
work="$(mktemp -d)"
export PGRUNBOOK_STATE_DIR="$work/state"
cleanup() { "$here/pgrunbook" sandbox stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

(cd "$here" && mvn -q -B -DskipTests package)
psql_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/psql"
[ -x "$psql_bin" ] || psql_bin="$(command -v psql)"
url="$("$here/pgrunbook" sandbox start 2>/dev/null)"
base="${url%/*}"

echo "building 4 shards of $customers customers each ..." >&2
targets=()
for s in 0 1 2 3; do
  "$psql_bin" -X -q -v ON_ERROR_STOP=1 -d "$base/postgres" -c "CREATE DATABASE gdpr_shard$s"
  "$psql_bin" -X -q -v ON_ERROR_STOP=1 -d "$base/gdpr_shard$s" <<SQL
CREATE TABLE customers (customer_id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (order_id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers);
CREATE TABLE payments (payment_id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders,
                       customer_id bigint NOT NULL REFERENCES customers, amount numeric NOT NULL);
CREATE INDEX ON orders (customer_id);
CREATE INDEX ON payments (customer_id);
CREATE INDEX ON payments (order_id);
INSERT INTO customers SELECT c, 'customer ' || c FROM generate_series(1, $customers) c;
INSERT INTO orders SELECT c * 10 + o, c FROM generate_series(1, $customers) c, generate_series(1, 5) o;
INSERT INTO payments SELECT (c * 10 + o) * 10 + p, c * 10 + o, c, 9.99 FROM generate_series(1, $customers) c,
       generate_series(1, 5) o, generate_series(1, 2) p;
VACUUM ANALYZE;
SQL
  targets+=(--target "shard$s=$base/gdpr_shard$s")
done

manual() {
  local shard
  for shard in 0 1 2 3; do
    "$psql_bin" -X -q -v ON_ERROR_STOP=1 -d "$base/gdpr_shard$shard" -v id="$1" <<'SQL'
BEGIN;
DELETE FROM payments  WHERE customer_id = :id;
DELETE FROM orders    WHERE customer_id = :id;
DELETE FROM customers WHERE customer_id = :id;
COMMIT;
SQL
  done
}
tool=(); hand=()
for i in $(seq 1 "$runs"); do
  tool+=("$(ms "$here/pgrunbook" run "$here/runbooks/gdpr-delete.yaml" "${targets[@]}" --set "customer_id=$((2 * i))" --yes -q)")
  hand+=("$(ms manual $((2 * i + 1)))")
done
left=$("$psql_bin" -X -At -d "$base/gdpr_shard0" -c "SELECT count(*) FROM customers WHERE customer_id BETWEEN 2 AND $((2 * runs + 1))")
[ "$left" = 0 ] || fail "customers were left on shard0: $left"
t=$(printf '%s\n' "${tool[@]}" | median); m=$(printf '%s\n' "${hand[@]}" | median)
echo "gdpr-delete, 4 shards x $customers customers (5 orders, 10 payments each), median of $runs runs:"
printf '  pgrunbook run gdpr-delete.yaml (count, delete, verify; shards in parallel): %6d ms\n' "$t"
printf '  psql, the three DELETEs per shard in one transaction, shard after shard:     %6d ms\n' "$m"
awk -v t="$t" -v m="$m" 'BEGIN { printf "  ratio pgrunbook / psql: %.1fx\n", (m > 0 ? t / m : 0) }'
echo "  load average: $(cut -d" " -f1-3 /proc/loadavg)"
