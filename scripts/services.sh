#!/usr/bin/env bash
# Start (or stop) throw-away PostgreSQL and Redis servers on loopback for the test suite, as
# this script's own processes in a private directory. Prints the environment to use:
#   eval "$(scripts/services.sh start DIR)"   ...   scripts/services.sh stop DIR
set -euo pipefail

action="$1"
dir="$2"
# A free loopback port unless one is given, so two runs on one machine do not collide.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
  start)
    pg_port="${CANHGAC_TEST_PG_PORT:-$(free_port)}"
    redis_port="${CANHGAC_TEST_REDIS_PORT:-$(free_port)}"
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
    as_postgres "$pg_bin/initdb" -D "$dir/pg" -U canhgac --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
    as_postgres "$pg_bin/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $dir -c fsync=off -c full_page_writes=off" start >/dev/null
    as_postgres "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U canhgac canhgac
    redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    for _ in $(seq 50); do
      redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
      sleep 0.1
    done
    echo "export CANHGAC_TEST_DATABASE_URL=postgres://canhgac@127.0.0.1:$pg_port/canhgac"
    echo "export CANHGAC_TEST_REDIS_URL=redis://127.0.0.1:$redis_port/0"
    ;;
  stop)
    if [ -d "$dir/pg" ]; then as_postgres "$pg_bin/pg_ctl" -D "$dir/pg" -m fast stop >/dev/null 2>&1 || true; fi
    if [ -f "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
