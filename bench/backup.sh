#!/usr/bin/env bash
# pgrunbook backup + verify-backup beside plain pg_dump -Fd -j N and pg_restore -j N + count(*) per
# table, same server, same run, rounds interleaved so load from elsewhere hits both sides alike.
# Prints each round's figures, the medians, the ratios (aims: backup <= 1.10x pg_dump at about 1 GB
# and <= 1.3x at about 100 MB; verify-backup <= 1.10x at about 1 GB), the peak memory (max RSS) of
# pgrunbook and of the plain tools (GNU time; said so when it is absent), and the load average.
#   bench/backup.sh [SIZE_MB=300] [ROUNDS=5] [JOBS=2]
# SIZE_MB is the size of the generated COPY text: 150 gives a database of about 123 MB, 1250 about 1 GB.
# pgrunbook's figures include its JVM start; its verify-backup is the default drill (restore, counts,
# objects, pg_amcheck) with level 1 (sizes, SHA-256 of every file, pg_restore --list). With GNU time,
# the CPU seconds of each side are printed too: on a shared machine they hold where wall times do not.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
SIZE_MB=${1:-300}; ROUNDS=${2:-5}; JOBS=${3:-2}
export PGRUNBOOK_STATE_DIR=$(mktemp -d)
WORK=$(mktemp -d)
URL=$(./pgrunbook sandbox start 2>/dev/null)
trap './pgrunbook sandbox stop >/dev/null 2>&1 || true; rm -rf "$WORK" "$PGRUNBOOK_STATE_DIR"' EXIT
BIN=${PGRUNBOOK_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
GNU_TIME=/usr/bin/time
if [ -x "$GNU_TIME" ] && "$GNU_TIME" -f %M -o /dev/null true 2>/dev/null; then HAVE_TIME=1; else HAVE_TIME=0; fi
ROWS=$((SIZE_MB * 1024 * 1024 / 200))
psql -q "$URL" <<SQL
CREATE TABLE a (id bigint PRIMARY KEY, t text, n numeric);
CREATE TABLE b (id bigint PRIMARY KEY, a_id bigint, t text);
INSERT INTO a SELECT g, md5(g::text) || md5((g*7)::text) || md5((g*13)::text), g * 1.5 FROM generate_series(1, $ROWS / 2) g;
INSERT INTO b SELECT g, g / 3, repeat(md5(g::text), 2) FROM generate_series(1, $ROWS / 2) g;
ANALYZE;
SQL
echo "database: $(psql -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))" "$URL"), rounds $ROUNDS, jobs $JOBS, $(nproc) cores"
[ "$HAVE_TIME" = 1 ] || echo "peak memory not measured: GNU time absent ($GNU_TIME)"

# timed NAME CMD...: runs CMD, appends its seconds to $WORK/NAME and its peak RSS in MB to $WORK/NAME.rss;
# a failing CMD ends the benchmark with the word FAILED, so a broken tool never yields a figure
timed() {
  local name=$1 t0 t1; shift
  t0=$(now)
  if [ "$HAVE_TIME" = 1 ]; then
    "$GNU_TIME" -f '%M %U %S' -o "$WORK/rss" "$@" || fail "$name: $*"
    awk '{printf "%.0f\n", $1 / 1024}' "$WORK/rss" >> "$WORK/$name.rss"
    awk '{printf "%.2f\n", $2 + $3}' "$WORK/rss" >> "$WORK/$name.cpu"
  else
    "$@" || fail "$name: $*"
  fi
  t1=$(now)
  awk "BEGIN{print $t1-$t0}" >> "$WORK/$name"
}
# the plain drill, timed as a whole; pg_restore's own peak is measured, psql's counts around it are not (a few MB each)
plain_restore() {
  local t0 t1; t0=$(now)
  psql -q "$URL" -c "CREATE DATABASE plain_restore"
  if [ "$HAVE_TIME" = 1 ]; then
    "$GNU_TIME" -f '%M %U %S' -o "$WORK/rss" "$BIN/pg_restore" -j "$JOBS" -d "${URL%/*}/plain_restore" "$1" \
      || fail "restore: pg_restore $1"
    awk '{printf "%.0f\n", $1 / 1024}' "$WORK/rss" >> "$WORK/restore.rss"
    awk '{printf "%.2f\n", $2 + $3}' "$WORK/rss" >> "$WORK/restore.cpu"
  else
    "$BIN/pg_restore" -j "$JOBS" -d "${URL%/*}/plain_restore" "$1" || fail "restore: pg_restore $1"
  fi
  for t in a b; do psql -Atc "SELECT count(*) FROM $t" "${URL%/*}/plain_restore" >/dev/null; done
  psql -q "$URL" -c "DROP DATABASE plain_restore"
  t1=$(now); awk "BEGIN{print $t1-$t0}" >> "$WORK/restore"
}
last() { tail -1 "$WORK/$1"; }
mem() { if [ -s "$WORK/$1.rss" ]; then echo "$(tail -1 "$WORK/$1.rss") MB"; else echo "-"; fi; }
cpu() { if [ -s "$WORK/$1.cpu" ]; then echo "$(tail -1 "$WORK/$1.cpu") s"; else echo "-"; fi; }

warm ./pgrunbook
for i in $(seq "$ROUNDS"); do
  timed pg_dump "$BIN/pg_dump" -Fd -j "$JOBS" -f "$WORK/plain$i" "$URL"
  timed backup ./pgrunbook backup --db "$URL" --dir "$WORK/pgr" -j "$JOBS" -q
  plain_restore "$WORK/plain$i"
  timed verify ./pgrunbook verify-backup --latest "$WORK/pgr" --db "$URL" -j "$JOBS" --yes -q
  # Like for like: the plain side runs no pg_amcheck.
  timed verify_noam ./pgrunbook verify-backup --latest "$WORK/pgr" --db "$URL" -j "$JOBS" --yes -q --no-amcheck
  printf 'round %d: pg_dump %6.2f s  backup %6.2f s (%.2fx) | restore+counts %6.2f s  verify-backup %6.2f s (%.2fx) | peak pg_dump %s, backup %s, pg_restore %s, verify %s | cpu pg_dump %s, backup %s, pg_restore %s, verify %s | %s\n' \
    "$i" "$(last pg_dump)" "$(last backup)" "$(ratio "$(last backup)" "$(last pg_dump)")" "$(last restore)" "$(last verify)" \
    "$(ratio "$(last verify)" "$(last restore)")" "$(mem pg_dump)" "$(mem backup)" "$(mem restore)" "$(mem verify)" \
    "$(cpu pg_dump)" "$(cpu backup)" "$(cpu restore)" "$(cpu verify)" "$(loadavg)"
  rm -rf "$WORK/plain$i"
  ls -d "$WORK/pgr"/*/ 2>/dev/null | sort | head -n -1 | xargs -r rm -rf # keep the newest for the next verify
done
d=$(median < "$WORK/pg_dump"); b=$(median < "$WORK/backup"); r=$(median < "$WORK/restore"); v=$(median < "$WORK/verify"); vn=$(median < "$WORK/verify_noam")
echo "medians of $ROUNDS rounds:"
awk -v d="$d" -v b="$b" -v r="$r" -v v="$v" -v vn="$vn" 'BEGIN {
  printf "  pg_dump -Fd -j N:                       %6.2f s\n", d
  printf "  pgrunbook backup (incl. JVM start):     %6.2f s   ratio %.2fx\n", b, b / d
  printf "  pg_restore -j N + count(*) per table:   %6.2f s\n", r
  printf "  pgrunbook verify-backup (drill):        %6.2f s   ratio %.2fx\n", v, v / r
  printf "  same, --no-amcheck (like for like):     %6.2f s   ratio %.2fx\n", vn, vn / r }'
if [ "$HAVE_TIME" = 1 ]; then
  # CPU seconds hold when the machine is shared (wall time does not): pgrunbook's include its children
  # (pg_dump; pg_restore and pg_amcheck), so the difference is pgrunbook's own work and its JVM.
  echo "  CPU (user+sys, medians): pg_dump $(median < "$WORK/pg_dump.cpu") s, pgrunbook backup with its pg_dump" \
    "$(median < "$WORK/backup.cpu") s; pg_restore $(median < "$WORK/restore.cpu") s, pgrunbook verify-backup with its" \
    "pg_restore and pg_amcheck $(median < "$WORK/verify.cpu") s (the server's CPU is in neither)"
  echo "  peak memory (max RSS, highest of the rounds): pg_dump $(sort -n "$WORK/pg_dump.rss" | tail -1) MB," \
    "pgrunbook backup $(sort -n "$WORK/backup.rss" | tail -1) MB; pg_restore $(sort -n "$WORK/restore.rss" | tail -1) MB," \
    "pgrunbook verify-backup $(sort -n "$WORK/verify.rss" | tail -1) MB"
else
  echo "  peak memory not measured: GNU time absent"
fi
echo "  $(loadavg)"
