#!/usr/bin/env bash
# A PITR drill (pgrunbook verify-backup --pitr: restore of a pg_basebackup, replay of the archived WAL
# to its end, promotion, plus its own checks) beside the same recovery done by hand (tar x, recovery.signal,
# restore_command with cp, pg_ctl start, wait for promotion), same backup, same archive, same run;
# prints medians of ROUNDS rounds and the ratio. The drill is timed twice: with its checks
# (pg_verifybackup, amcheck) and with amcheck off.
#   bench/pitr.sh [PGBENCH_SCALE=70 (~1 GB)] [WAL_SECONDS=120 of pgbench writes archived after the backup] [ROUNDS=3]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
SCALE=${1:-70}; WAL_SECONDS=${2:-120}; ROUNDS=${3:-3}
BIN=${PGRUNBOOK_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
export PGRUNBOOK_STATE_DIR=$(mktemp -d)
WORK=$(mktemp -d); chmod 711 "$WORK"   # the server's OS user (postgres when root) must reach the archive
URL=$(./pgrunbook sandbox start --archive "$WORK/wal" --archive-timeout 60s 2>/dev/null)
trap './pgrunbook sandbox stop >/dev/null 2>&1 || true; as_pg "$BIN/pg_ctl -D $WORK/manual/data stop -m immediate" >/dev/null 2>&1 || true; rm -rf "$WORK" "$PGRUNBOOK_STATE_DIR"' EXIT
"$BIN/pgbench" -q -i -s "$SCALE" "$URL" >/dev/null 2>&1
./pgrunbook backup --physical --db "$URL" --dir "$WORK/base" -q
"$BIN/pgbench" -n -c 2 -T "$WAL_SECONDS" "$URL" >/dev/null
last=$(psql -XAtc "SELECT pg_walfile_name(pg_switch_wal())" "$URL")
while [ ! -f "$WORK/wal/$last" ]; do sleep 0.2; done
BACKUP=$(ls -d "$WORK"/base/*/ | tail -1)
echo "database: $(psql -XAtc "SELECT pg_size_pretty(pg_database_size(current_database()))" "$URL"), base backup $(du -sh "$BACKUP" | cut -f1)," \
     "archive: $(ls "$WORK/wal" | grep -c '^[0-9A-F]\{24\}$') segments (pgbench -i, then $WAL_SECONDS s of pgbench -c 2 after the backup), rounds $ROUNDS"
manual() {
  local d="$WORK/manual"; rm -rf "$d"; mkdir -p "$d/data/pg_wal"
  tar -xzf "$BACKUP/data/base.tar.gz" -C "$d/data"; tar -xzf "$BACKUP/data/pg_wal.tar.gz" -C "$d/data/pg_wal"
  touch "$d/data/recovery.signal"; chmod 700 "$d/data"; [ "$(id -u)" = 0 ] && chown -R postgres "$d"
  as_pg "$BIN/pg_ctl -D $d/data -l $d/log -w -t 3600 -o \"-p 7750 -c listen_addresses=127.0.0.1 -c unix_socket_directories=$d \
    -c archive_mode=off -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c 'restore_command=cp $WORK/wal/%f %p'\" start" >/dev/null
  until [ "$(psql -XAtc 'SELECT pg_is_in_recovery()' "postgresql://postgres@127.0.0.1:7750/postgres" 2>/dev/null)" = f ]; do sleep 0.1; done
  as_pg "$BIN/pg_ctl -D $d/data stop -m immediate" >/dev/null; rm -rf "$d"
}
: > "$WORK/manual.t"; : > "$WORK/drill.t"; : > "$WORK/drill-noam.t"
DRILL=(verify-backup --pitr --latest "$WORK/base" --archive "$WORK/wal" --max-rpo 1h --db "$URL" -q)
for i in $(seq "$ROUNDS"); do
  ms manual >> "$WORK/manual.t"
  ms ./pgrunbook "${DRILL[@]}" >> "$WORK/drill.t"
  ms ./pgrunbook "${DRILL[@]}" --no-amcheck >> "$WORK/drill-noam.t"
done
m=$(median < "$WORK/manual.t"); d=$(median < "$WORK/drill.t"); n=$(median < "$WORK/drill-noam.t")
printf "by hand: tar x, recovery.signal, pg_ctl start, wait for promotion:       %8s ms\n" "$m"
printf "pgrunbook verify-backup --pitr (JVM, checks, pg_verifybackup, amcheck): %8s ms   ratio %sx\n" "$d" "$(ratio "$d" "$m")"
printf "same with --no-amcheck:                                                  %8s ms   ratio %sx\n" "$n" "$(ratio "$n" "$m")"
loadavg
