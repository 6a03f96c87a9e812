#!/usr/bin/env bash
# Makes sure this machine can build and test pgrunbook: a JDK >= 17, Maven, the PostgreSQL
# server (initdb, pg_ctl) plus pg_dump and psql, PgBouncer (the pooler tests put it in front of the
# test server), pgBackRest (the PITR tests drill a real stanza) and openssl (the TLS tests' CA). Installs what is missing with apt-get; prints
# nothing when everything is already here, so it is cheap to run before every build.
set -euo pipefail

missing_packages=()

have() { command -v "$1" >/dev/null 2>&1; }

java_major() {
  # "javac 17.0.15" -> 17; an old "javac 1.8.0_392" -> 1
  javac -version 2>&1 | sed -n 's/^javac \([0-9][0-9]*\).*/\1/p' | head -n1
}

# The same places PgBinaries looks: PGRUNBOOK_PG_BIN, PATH, then the packaged layouts. Symlinks are
# followed (/usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb) because pg_dump and psql
# are looked for next to the real initdb, not next to the link.
pg_bin_dir() {
  local dir real
  for dir in "${PGRUNBOOK_PG_BIN:-}" "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")" \
             $(ls -d /usr/lib/postgresql/*/bin /usr/pgsql-*/bin 2>/dev/null | sort -V -r); do
    if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
      real="$(dirname "$(readlink -f "$dir/initdb")")"
      if [[ -x "$real/pg_ctl" ]]; then dir="$real"; fi
      echo "$dir"
      return 0
    fi
  done
  return 1
}

# True when the server and its client tools are all in one installation.
have_postgres() {
  local dir
  dir="$(pg_bin_dir)" && [[ -x "$dir/pg_dump" && -x "$dir/psql" ]]
}

if ! have javac || [[ "$(java_major)" -lt 17 ]]; then
  missing_packages+=(openjdk-17-jdk-headless)
fi
if ! have mvn; then
  missing_packages+=(maven)
fi
if ! have_postgres; then
  missing_packages+=(postgresql postgresql-contrib)
fi
# Debian installs pgbouncer in /usr/sbin, which a non-root PATH may lack.
if ! have pgbouncer && [[ ! -x /usr/sbin/pgbouncer ]]; then
  missing_packages+=(pgbouncer)
fi
if ! have pgbackrest; then
  missing_packages+=(pgbackrest)
fi
# The interrupt tests signal a real pgrunbook with kill(1) (procps; bash's builtin does not count).
if [[ ! -x /bin/kill && ! -x /usr/bin/kill ]]; then
  missing_packages+=(procps)
fi
# The TLS tests make a certificate authority at run time.
if ! have openssl; then
  missing_packages+=(openssl)
fi

if [[ ${#missing_packages[@]} -eq 0 ]]; then
  exit 0
fi

if ! have apt-get; then
  echo "ensure-deps: missing ${missing_packages[*]}, and this is not an apt-based system." >&2
  echo "ensure-deps: install a JDK >= 17 (javac), Maven (mvn) and the PostgreSQL server with its" >&2
  echo "ensure-deps: client tools, e.g. on RHEL/Fedora: dnf install java-17-openjdk-devel maven" >&2
  echo "ensure-deps: postgresql-server postgresql-contrib; or set PGRUNBOOK_PG_BIN to a bin directory" >&2
  echo "ensure-deps: that contains initdb, pg_ctl, pg_dump and psql." >&2
  exit 1
fi

sudo=()
if [[ "$(id -u)" -ne 0 ]]; then
  if ! have sudo; then
    echo "ensure-deps: need root to install ${missing_packages[*]}; run as root or install sudo." >&2
    exit 1
  fi
  sudo=(sudo)
fi

echo "ensure-deps: installing ${missing_packages[*]}"
if [[ -n "${ENSURE_DEPS_DRY_RUN:-}" ]]; then
  exit 0 # for testing the detection without changing the machine
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing_packages[@]}"

# Verify rather than trust: a package name can exist and still not deliver what we need.
if ! have javac || [[ "$(java_major)" -lt 17 ]]; then
  echo "ensure-deps: javac >= 17 still not found after installing; check update-alternatives --config javac." >&2
  exit 1
fi
have mvn || { echo "ensure-deps: mvn still not found after installing maven." >&2; exit 1; }
if ! have pgbouncer && [[ ! -x /usr/sbin/pgbouncer ]]; then
  echo "ensure-deps: pgbouncer still not found after installing pgbouncer." >&2; exit 1
fi
have pgbackrest || { echo "ensure-deps: pgbackrest still not found after installing pgbackrest." >&2; exit 1; }
have openssl || { echo "ensure-deps: openssl still not found after installing openssl." >&2; exit 1; }
[[ -x /bin/kill || -x /usr/bin/kill ]] || { echo "ensure-deps: kill still not found after installing procps." >&2; exit 1; }
if ! have_postgres; then
  echo "ensure-deps: PostgreSQL initdb/pg_ctl/pg_dump/psql still not found after installing postgresql." >&2
  exit 1
fi
echo "ensure-deps: done (PostgreSQL binaries in $(pg_bin_dir))"
