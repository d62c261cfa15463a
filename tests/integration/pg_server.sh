#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests.
#
#   pg_server.sh start [DIR]   create (if needed) and start the cluster, create database
#                              claimsca_test; idempotent; returns once the server answers
#   pg_server.sh stop  [DIR]   stop the cluster (fast) and delete DIR
#
# DIR defaults to $CLAIMSCA_BINARY_DIR/pg, else ./build/pg. The server listens on
# 127.0.0.1:${CLAIMSCA_PG_PORT:-55432} only (no Unix socket), with trust authentication on
# loopback: never use it for anything but tests. initdb refuses to run as root, so when
# run as root the cluster belongs to, and runs as, the `postgres` system user.
#
# Test URL: postgresql://postgres@127.0.0.1:${CLAIMSCA_PG_PORT:-55432}/claimsca_test
set -euo pipefail

usage() { echo "usage: $0 start|stop [DIR]" >&2; exit 2; }
[[ $# -ge 1 && $# -le 2 ]] || usage
cmd=$1
default_dir=${CLAIMSCA_BINARY_DIR:+$CLAIMSCA_BINARY_DIR/pg}
dir=${2:-${default_dir:-./build/pg}}
port=${CLAIMSCA_PG_PORT:-55432}
# As root the cluster runs as `postgres`, which must reach DIR: a clone under a private home
# (/root is 0700 on Debian) is out of its reach, so the cluster then lives in /tmp instead.
if [[ $(id -u) -eq 0 ]] && id postgres >/dev/null 2>&1; then
  parent=$(dirname "$dir")
  mkdir -p "$parent"
  if ! runuser -u postgres -- test -x "$parent" 2>/dev/null; then
    dir=${TMPDIR:-/tmp}/claimsca-test-pg-$port
  fi
fi
marker=.claimsca-test-cluster  # only directories carrying it are ever deleted

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[[ -n $bindir && -x $bindir/initdb ]] || {
  echo "pg_server.sh: no PostgreSQL server found under /usr/lib/postgresql/*/bin" \
       "(apt-get install postgresql)" >&2
  exit 1
}

# Runs a command as the cluster owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

is_running() { [[ -f $dir/PG_VERSION ]] && as_owner "$bindir/pg_ctl" status -D "$dir" >/dev/null 2>&1; }

start() {
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || { echo "pg_server.sh: no 'postgres' user" >&2; exit 1; }
    chown postgres: "$dir"
    chmod 700 "$dir"
  fi
  if [[ ! -f $dir/PG_VERSION ]]; then
    if [[ -n $(ls -A "$dir") ]]; then
      echo "pg_server.sh: $dir exists, is not empty and holds no cluster" >&2
      exit 1
    fi
    as_owner "$bindir/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 || { cat "$dir.initdb.log" >&2; exit 1; }
    rm -f "$dir.initdb.log"
    as_owner touch "$dir/$marker"
    # Loopback TCP only; trust only from loopback.
    as_owner tee -a "$dir/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    as_owner tee "$dir/pg_hba.conf" >/dev/null <<HBA
host all all 127.0.0.1/32 trust
HBA
  fi
  if ! is_running; then
    as_owner "$bindir/pg_ctl" start -D "$dir" -l "$dir/server.log" -w -t 60 >/dev/null || {
      tail -n 20 "$dir/server.log" >&2 || true
      exit 1
    }
  fi
  for _ in $(seq 1 120); do
    "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" && break
    sleep 0.5
  done
  "$bindir/pg_isready" -h 127.0.0.1 -p "$port" >/dev/null || {
    echo "pg_server.sh: server on 127.0.0.1:$port does not answer" >&2
    exit 1
  }
  local psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres)
  if [[ -z $("${psql[@]}" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'claimsca_test'") ]]; then
    "${psql[@]}" -d postgres -c "CREATE DATABASE claimsca_test" || {
      # A concurrent `start` may have created it first.
      [[ -n $("${psql[@]}" -d postgres -tAc \
          "SELECT 1 FROM pg_database WHERE datname = 'claimsca_test'") ]] || exit 1
    }
  fi
  echo "postgresql://postgres@127.0.0.1:$port/claimsca_test"
}

stop() {
  [[ -d $dir ]] || return 0
  if [[ -f $dir/PG_VERSION && ! -f $dir/$marker ]]; then
    echo "pg_server.sh: $dir was not made by pg_server.sh; not touching it" >&2
    exit 1
  fi
  if is_running; then
    as_owner "$bindir/pg_ctl" stop -D "$dir" -m fast -w -t 60 >/dev/null
  fi
  if [[ -f $dir/$marker || -z $(ls -A "$dir") ]]; then
    rm -rf -- "$dir"
  fi
}

case $cmd in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
