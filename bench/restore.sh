#!/usr/bin/env bash
# pgrunbook restore beside the tool a DBA would otherwise use, same server, same run; medians of N rounds.
#  1. whole database into a new one: `pgrunbook restore --into` (verification, lock, checklist included)
#     beside createdb + pg_restore -j N + count(*) per table;
#  2. one tenant among TENANTS: `pgrunbook restore --tenant` (verification, safety backup, checklist)
#     beside a hand-written BEGIN; DELETE ...; \copy ...; COMMIT of the same rows.
#   bench/restore.sh [SIZE_MB=300] [ROUNDS=3] [JOBS=2] [TENANTS=1000]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
SIZE_MB=${1:-300}; ROUNDS=${2:-3}; JOBS=${3:-2}; TENANTS=${4:-1000}
export PGRUNBOOK_STATE_DIR=$(mktemp -d)
WORK=$(mktemp -d)
URL=$(./pgrunbook sandbox start 2>/dev/null)
trap './pgrunbook sandbox stop >/dev/null 2>&1 || true; rm -rf "$WORK" "$PGRUNBOOK_STATE_DIR"' EXIT
BIN=${PGRUNBOOK_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
ROWS=$((SIZE_MB * 1024 * 1024 / 200))
psql -q "$URL" <<SQL
CREATE TABLE a (id bigint PRIMARY KEY, tenant_id int NOT NULL, t text, n numeric);
CREATE INDEX a_tenant ON a (tenant_id);
CREATE TABLE b (id bigint PRIMARY KEY, a_id bigint REFERENCES a (id), tenant_id int NOT NULL, t text);
CREATE INDEX b_tenant ON b (tenant_id);
CREATE INDEX b_a ON b (a_id);
INSERT INTO a SELECT g, g % $TENANTS, md5(g::text) || md5((g*7)::text) || md5((g*13)::text), g * 1.5 FROM generate_series(1, $ROWS / 2) g;
INSERT INTO b SELECT g, g, g % $TENANTS, repeat(md5(g::text), 2) FROM generate_series(1, $ROWS / 2) g;
ANALYZE;
SQL
echo "database: $(psql -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))" "$URL"), rounds $ROUNDS, jobs $JOBS, $TENANTS tenants"
./pgrunbook backup --db "$URL" --dir "$WORK/full" -j "$JOBS" -q
./pgrunbook backup --db "$URL" --dir "$WORK/tenant" --tenant 7 --table a --table b -q
FULL=$(ls -d "$WORK"/full/*-*Z); TENANT=$(ls -d "$WORK"/tenant/*-*Z)
# The hand-written tenant restore reads the same rows as plain COPY text.
psql -q "$URL" -c "\\copy (SELECT * FROM a WHERE tenant_id = 7) TO '$WORK/a7.copy'" -c "\\copy (SELECT * FROM b WHERE tenant_id = 7) TO '$WORK/b7.copy'"
: > "$WORK/plain"; : > "$WORK/pgr"; : > "$WORK/tplain"; : > "$WORK/tpgr"
for i in $(seq "$ROUNDS"); do
  t0=$(now)
  psql -q "$URL" -c "CREATE DATABASE plain_restore"
  "$BIN/pg_restore" -j "$JOBS" -d "${URL%/*}/plain_restore" "$FULL/dump"
  for t in a b; do psql -Atc "SELECT count(*) FROM $t" "${URL%/*}/plain_restore" >/dev/null; done
  t1=$(now); awk "BEGIN{print $t1-$t0}" >> "$WORK/plain"
  psql -q "$URL" -c "DROP DATABASE plain_restore"
  t0=$(now); ./pgrunbook restore "$FULL" --db "$URL" --into pgr_restore -j "$JOBS" --yes -q; t1=$(now)
  awk "BEGIN{print $t1-$t0}" >> "$WORK/pgr"
  psql -q "$URL" -c "DROP DATABASE pgr_restore"
  t0=$(now)
  psql -q -v ON_ERROR_STOP=1 "$URL" -c "BEGIN" -c "DELETE FROM b WHERE tenant_id = 7" -c "DELETE FROM a WHERE tenant_id = 7" \
    -c "\\copy a FROM '$WORK/a7.copy'" -c "\\copy b FROM '$WORK/b7.copy'" -c "COMMIT"
  t1=$(now); awk "BEGIN{print $t1-$t0}" >> "$WORK/tplain"
  t0=$(now); ./pgrunbook restore "$TENANT" --db "$URL" --safety-dir "$WORK/safety" --yes -q; t1=$(now)
  awk "BEGIN{print $t1-$t0}" >> "$WORK/tpgr"
done
p=$(median < "$WORK/plain"); g=$(median < "$WORK/pgr"); tp=$(median < "$WORK/tplain"); tg=$(median < "$WORK/tpgr")
awk -v p="$p" -v g="$g" -v tp="$tp" -v tg="$tg" 'BEGIN {
  printf "createdb + pg_restore -j N + count(*):              %6.2f s\n", p
  printf "pgrunbook restore --into (verify, checklist, JVM):  %6.2f s   ratio %.2fx\n", g, g / p
  printf "psql BEGIN; DELETE; \\copy; COMMIT (one tenant):     %6.2f s\n", tp
  printf "pgrunbook restore --tenant (verify, safety backup): %6.2f s   ratio %.2fx\n", tg, tg / tp }'
echo "  $(loadavg)"
