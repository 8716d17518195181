#!/usr/bin/env bash
# Starts or stops a local PostgreSQL cluster and Redis server owned by this project, on ports
# that do not collide with system ones. Data persists in $PBX_STATE_DIR between runs.
#   scripts/services.sh start|stop|status
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -eq 0 ]; then
  STATE_DIR=${PBX_STATE_DIR:-/var/lib/pbxd-dev}
else
  STATE_DIR=${PBX_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/pbxd-dev}
fi
PG_PORT=${PBX_PG_PORT:-55432}
REDIS_PORT=${PBX_REDIS_PORT:-56379}
PG_DATA=$STATE_DIR/postgres
REDIS_DIR=$STATE_DIR/redis
BIN=$(pg_bindir)

pg_running() { as_pg "$BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }
redis_running() { [ -f "$REDIS_DIR/redis.pid" ] && kill -0 "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null; }

start_pg() {
  mkdir -p "$STATE_DIR"
  chmod 755 "$STATE_DIR"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    mkdir -p "$PG_DATA"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PG_DATA"
    chmod 700 "$PG_DATA"
    as_pg "$BIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --locale=C >/dev/null
  fi
  if ! pg_running; then
    port_in_use "$PG_PORT" && { echo "port $PG_PORT is taken: set PBX_PG_PORT" >&2; exit 1; }
    as_pg "$BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 \
      -o "-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1" start >/dev/null
  fi
  wait_for 30 "PostgreSQL" "$BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT"
  if ! "$BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -Atqc \
      "SELECT 1 FROM pg_database WHERE datname = 'pbx'" | grep -q 1; then
    "$BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres pbx
  fi
}

start_redis() {
  mkdir -p "$REDIS_DIR"
  if ! redis_running; then
    port_in_use "$REDIS_PORT" && { echo "port $REDIS_PORT is taken: set PBX_REDIS_PORT" >&2; exit 1; }
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_DIR" --daemonize yes \
      --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" \
      --appendonly yes --save 60 1000 >/dev/null
  fi
  wait_for 10 "Redis" redis-cli -p "$REDIS_PORT" ping
}

case "${1:-}" in
  start)
    start_pg
    start_redis
    echo "PBX_DATABASE_URL=postgresql://postgres@127.0.0.1:$PG_PORT/pbx"
    echo "PBX_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
    ;;
  stop)
    pg_running && as_pg "$BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
    redis_running && redis-cli -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
    echo "stopped"
    ;;
  status)
    pg_running && echo "postgres: running on $PG_PORT" || echo "postgres: stopped"
    redis_running && echo "redis: running on $REDIS_PORT" || echo "redis: stopped"
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
