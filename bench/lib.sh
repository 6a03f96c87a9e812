# Shared by the bench/ scripts: source it with  . "$(dirname "$0")/lib.sh"
# Medians, timings, ratios and the load average, written once so every benchmark reports alike.

# median of the numbers on stdin, one per line (the mean of the middle two for an even count)
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) {print "NaN"; exit} print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# seconds since the epoch with nanoseconds, for timing by difference
now() { date +%s.%N; }

# ms CMD...: runs CMD (stdout dropped) and prints how many milliseconds it took; a failing CMD ends the
# benchmark with its stderr and the word FAILED, so a broken tool never yields a figure
ms() {
  local t0 t1 err
  err=$(mktemp)
  t0=$(date +%s%N)
  if ! "$@" >/dev/null 2>"$err"; then
    echo "FAILED: $*" >&2; cat "$err" >&2; rm -f "$err"; exit 1
  fi
  t1=$(date +%s%N)
  rm -f "$err"
  echo $(( (t1 - t0) / 1000000 ))
}

# ratio A B [DECIMALS=2]: A / B
ratio() { awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { if (b > 0) printf "%." d "f", a / b; else printf "n/a" }'; }

# the load average while the benchmark ran, printed with its figures
loadavg() { echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"; }

# as_pg CMD: a shell command as the postgres OS user when root (PostgreSQL refuses to run as root)
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else sh -c "$*"; fi; }

# fail REASON: a benchmark whose tool did the wrong thing stops, saying so, and never prints a figure
fail() { echo "FAILED: $*" >&2; exit 1; }

# skip REASON: a benchmark that cannot run here says so and exits non-zero, never silently
skip() { echo "SKIPPED: $*" >&2; exit 3; }

# warm LAUNCHER: the first start after a build makes the launcher's class-data archive (a training run
# against a throwaway sandbox, a few seconds); done here, before anything is timed
warm() { "$1" --version >/dev/null 2>&1 || fail "$1 --version"; }
