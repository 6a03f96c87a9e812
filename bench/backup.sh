#!/usr/bin/env bash
# pgrunbook backup + verify-backup beside plain pg_dump -Fd -j N and pg_restore -j N + count(*) per
# table, same server, same run; prints medians of N rounds and ratios.
#   bench/backup.sh [SIZE_MB=300] [ROUNDS=3] [JOBS=2]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
SIZE_MB=${1:-300}; ROUNDS=${2:-3}; JOBS=${3:-2}
export PGRUNBOOK_STATE_DIR=$(mktemp -d)
WORK=$(mktemp -d)
URL=$(./pgrunbook sandbox start 2>/dev/null)
trap './pgrunbook sandbox stop >/dev/null 2>&1 || true; rm -rf "$WORK" "$PGRUNBOOK_STATE_DIR"' EXIT
BIN=${PGRUNBOOK_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
ROWS=$((SIZE_MB * 1024 * 1024 / 200))
psql -q "$URL" <<SQL
CREATE TABLE a (id bigint PRIMARY KEY, t text, n numeric);
CREATE TABLE b (id bigint PRIMARY KEY, a_id bigint, t text);
INSERT INTO a SELECT g, md5(g::text) || md5((g*7)::text) || md5((g*13)::text), g * 1.5 FROM generate_series(1, $ROWS / 2) g;
INSERT INTO b SELECT g, g / 3, repeat(md5(g::text), 2) FROM generate_series(1, $ROWS / 2) g;
ANALYZE;
SQL
echo "database: $(psql -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))" "$URL"), rounds $ROUNDS, jobs $JOBS"
: > "$WORK/pg_dump"; : > "$WORK/pgr_backup"; : > "$WORK/restore"; : > "$WORK/pgr_verify"
for i in $(seq "$ROUNDS"); do
  t0=$(now); "$BIN/pg_dump" -Fd -j "$JOBS" -f "$WORK/plain$i" "$URL"; t1=$(now)
  awk "BEGIN{print $t1-$t0}" >> "$WORK/pg_dump"
  t0=$(now); ./pgrunbook backup --db "$URL" --dir "$WORK/pgr" -j "$JOBS" -q; t1=$(now)
  awk "BEGIN{print $t1-$t0}" >> "$WORK/pgr_backup"
  t0=$(now)
  psql -q "$URL" -c "CREATE DATABASE plain_restore"
  "$BIN/pg_restore" -j "$JOBS" -d "${URL%/*}/plain_restore" "$WORK/plain$i"
  for t in a b; do psql -Atc "SELECT count(*) FROM $t" "${URL%/*}/plain_restore" >/dev/null; done
  psql -q "$URL" -c "DROP DATABASE plain_restore"
  t1=$(now); awk "BEGIN{print $t1-$t0}" >> "$WORK/restore"
  t0=$(now); ./pgrunbook verify-backup --latest "$WORK/pgr" --db "$URL" -j "$JOBS" --yes -q; t1=$(now)
  awk "BEGIN{print $t1-$t0}" >> "$WORK/pgr_verify"
  rm -rf "$WORK/plain$i"
done
d=$(median < "$WORK/pg_dump"); b=$(median < "$WORK/pgr_backup"); r=$(median < "$WORK/restore"); v=$(median < "$WORK/pgr_verify")
awk -v d="$d" -v b="$b" -v r="$r" -v v="$v" 'BEGIN {
  printf "pg_dump -Fd -j N:                       %6.2f s\n", d
  printf "pgrunbook backup (incl. JVM start):     %6.2f s   ratio %.2fx\n", b, b / d
  printf "pg_restore -j N + count(*) per table:   %6.2f s\n", r
  printf "pgrunbook verify-backup (level 2):      %6.2f s   ratio %.2fx\n", v, v / r }'
echo "  $(loadavg)"
