#!/usr/bin/env bash
# Benchmark for migrate (issue 5), in one run on one sandbox, median of RUNS:
#   - applying N small migrations: `pgrunbook migrate up` vs Flyway's CLI on the same SQL files
#     (org.flywaydb:flyway-commandline from Maven Central), or, when Flyway cannot be obtained, vs a
#     plain psql loop (one psql -1 -f per file), which has no history, lock or checksum at all
#   - `pgrunbook migrate status` on a database with S migrations applied (aim: under 1 s)
# Usage: bench/migrate.sh [RUNS] [N] [S]   (defaults 5, 200, 1000)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-5}"; n="${2:-200}"; s="${3:-1000}"
work="$(mktemp -d)"
export PGRUNBOOK_STATE_DIR="$work/state"
cleanup() { "$here/pgrunbook" sandbox stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
(cd "$here" && mvn -q -B -DskipTests package)
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
url="$("$here/pgrunbook" sandbox start 2>/dev/null)"
port="${url##*:}"; port="${port%%/*}"

mkdir -p "$work/ours" "$work/flyway" "$work/status"
for i in $(seq 1 "$n"); do
  sql="CREATE TABLE bench_t$i (id bigint PRIMARY KEY, v text);"
  echo "$sql" > "$work/ours/$(printf %04d "$i")_t$i.up.sql"
  echo "$sql" > "$work/flyway/V${i}__t$i.sql"
done
for i in $(seq 1 "$s"); do echo "SELECT $i;" > "$work/status/$(printf %05d "$i")_s$i.up.sql"; done

flyway_cp=""
cat > "$work/pom.xml" <<'POM'
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>b</groupId><artifactId>b</artifactId><version>1</version>
<dependencies>
 <dependency><groupId>org.flywaydb</groupId><artifactId>flyway-commandline</artifactId><version>10.20.1</version></dependency>
 <dependency><groupId>org.flywaydb</groupId><artifactId>flyway-database-postgresql</artifactId><version>10.20.1</version></dependency>
 <dependency><groupId>com.fasterxml.jackson.dataformat</groupId><artifactId>jackson-dataformat-xml</artifactId><version>2.15.2</version></dependency>
 <dependency><groupId>com.google.code.gson</groupId><artifactId>gson</artifactId><version>2.11.0</version></dependency>
 <dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId><version>42.7.4</version></dependency>
</dependencies></project>
POM
if (cd "$work" && mvn -q -B dependency:build-classpath -Dmdep.outputFile=cp.txt >/dev/null 2>&1); then
  flyway_cp="$(cat "$work/cp.txt")"
else
  echo "Flyway could not be obtained from Maven Central here; comparing with a plain psql loop instead" >&2
fi

fresh() { "$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null; }
psql_loop() { for f in "$work"/ours/*.up.sql; do "$bin/psql" -q -X -1 -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$1" -f "$f" || return 1; done; }

ours=(); theirs=(); status=()
for r in $(seq 1 "$runs"); do
  fresh bench_ours; ours+=("$(ms "$here/pgrunbook" migrate up --yes -q --dir "$work/ours" --db "postgresql://postgres@127.0.0.1:$port/bench_ours")")
  fresh bench_theirs
  if [ -n "$flyway_cp" ]; then
    theirs+=("$(ms java -cp "$flyway_cp" org.flywaydb.commandline.Main -url="jdbc:postgresql://127.0.0.1:$port/bench_theirs" -user=postgres \
      -locations="filesystem:$work/flyway" migrate)")
  else
    theirs+=("$(ms psql_loop bench_theirs)")
  fi
done
fresh bench_status
"$here/pgrunbook" migrate up --yes -q --dir "$work/status" --db "postgresql://postgres@127.0.0.1:$port/bench_status" >/dev/null
for r in $(seq 1 "$runs"); do
  status+=("$(ms "$here/pgrunbook" migrate status -q --dir "$work/status" --db "postgresql://postgres@127.0.0.1:$port/bench_status")")
done
o=$(printf '%s\n' "${ours[@]}" | median); t=$(printf '%s\n' "${theirs[@]}" | median); st=$(printf '%s\n' "${status[@]}" | median)
other=$([ -n "$flyway_cp" ] && echo "flyway 10.20.1 migrate" || echo "psql -1 -f loop")
printf '%-45s %8s\n' "what (median of $runs)" "ms"
printf '%-45s %8d\n' "pgrunbook migrate up, $n migrations" "$o"
printf '%-45s %8d\n' "$other, $n migrations" "$t"
printf '%-45s %8s\n' "ratio pgrunbook / other" "$(awk -v a="$o" -v b="$t" 'BEGIN{printf "%.2fx", a/b}')"
printf '%-45s %8d   (aim: under 1000)\n' "pgrunbook migrate status, $s applied" "$st"
echo "  $(loadavg)"
