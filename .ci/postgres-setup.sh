#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for the test suite: installs Debian's package if missing, creates
# a cluster in a temp dir (as the postgres user), starts it on 127.0.0.1 on a free port.
#   source .ci/postgres-setup.sh      → exports TEST_DATABASE_URL (and PG_STOP to stop it)
#   bash .ci/postgres-setup.sh        → prints the same as `export …` lines (eval "$(…)")
#   bash .ci/postgres-setup.sh stop DIR  → stops a cluster started from DIR
# Tuned for tests only (fsync off): never for data anyone keeps.

pg_setup_main() {
  if [ "${1:-}" = "stop" ]; then
    local dir="$2"
    su postgres -s /bin/sh -c "$(pg_bin)/pg_ctl -D '$dir/data' -m fast -w stop" >/dev/null 2>&1 || true
    rm -rf "$dir"
    return 0
  fi
  if [ -z "$(pg_bin)" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2
  fi
  local bin
  bin="$(pg_bin)"
  [ -n "$bin" ] || { echo "postgres-setup: PostgreSQL could not be installed" >&2; return 1; }
  local dir port password=opora
  dir="$(mktemp -d /tmp/opora-pg.XXXXXX)"
  chown postgres "$dir" || return 1
  printf '%s\n' "$password" >"$dir/pw"
  chown postgres "$dir/pw"
  su postgres -s /bin/sh -c "$bin/initdb -D '$dir/data' -U postgres -E UTF8 --locale=C --auth-local=trust --auth-host=scram-sha-256 --pwfile='$dir/pw'" >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
  su postgres -s /bin/sh -c "$bin/pg_ctl -D '$dir/data' -l '$dir/server.log' -w -t 60 start -o \"-h 127.0.0.1 -p $port -k '$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=128MB\"" >/dev/null \
    || { cat "$dir/server.log" >&2; return 1; }
  TEST_DATABASE_URL="postgresql://postgres:$password@127.0.0.1:$port/postgres"
  PG_STOP="bash $(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/postgres-setup.sh stop $dir"
  export TEST_DATABASE_URL PG_STOP
  echo "export TEST_DATABASE_URL='$TEST_DATABASE_URL'"
  echo "export PG_STOP='$PG_STOP'"
}

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  pg_setup_main "$@"
else
  pg_setup_main "$@" >/dev/null
fi
