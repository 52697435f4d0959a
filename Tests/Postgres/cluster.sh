#!/bin/bash
# A throw-away PostgreSQL cluster for the tests: `cluster.sh start DIR [PORT]` runs initdb in DIR
# (as the `postgres` user when run as root: PostgreSQL refuses to run as root), starts the server
# on 127.0.0.1:PORT only (default 54329), no TLS (the superuser `postgres` without a password, other
# roles with theirs), and prints the URL to put
# in SRIOV_AUDIT_TEST_PG. `cluster.sh stop DIR` stops it; the folder can then be removed.
set -euo pipefail
action=${1:?usage: cluster.sh start|stop DIR [PORT]}
dir=${2:?usage: cluster.sh start|stop DIR [PORT]}
port=${3:-54329}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "cluster.sh: PostgreSQL's server is not installed (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
start)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    # The superuser connects without a password; every other role must give its password
    # (the tests' wrong-password case needs a server that checks one).
    printf '%s\n' "local all all trust" "host all postgres 127.0.0.1/32 trust" "host all all 127.0.0.1/32 scram-sha-256" \
      >"$dir/data/pg_hba.conf"
  fi
  # Sized for the tests: several servers and parallel readers at once, fsync kept on (the
  # kill -9 test relies on committed meaning durable).
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB" >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
  ;;
stop)
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  ;;
*) echo "usage: cluster.sh start|stop DIR [PORT]" >&2; exit 2 ;;
esac
