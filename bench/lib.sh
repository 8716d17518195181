# Throw-away servers for benchmarks (sourced). Postgres keeps its durable defaults
# (fsync=on, synchronous_commit=on): the figures are about durable writes.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

BENCH_DIR=$(mktemp -d /tmp/pbx-bench-XXXXXX)
chmod 755 "$BENCH_DIR"
BENCH_PIDS=()

spare_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    port_in_use "$p" || { echo "$p"; return; }
  done
}

bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 0.5
  [ -f "$BENCH_DIR/pg/PG_VERSION" ] && as_pg "$(pg_bindir)/pg_ctl" -D "$BENCH_DIR/pg" -m fast -w stop >/dev/null 2>&1
  for pid in "${BENCH_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$BENCH_DIR"
}
trap bench_cleanup EXIT

start_bench_pg() {
  PG_PORT=$(spare_port)
  local bin
  bin=$(pg_bindir)
  mkdir -p "$BENCH_DIR/pg"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$BENCH_DIR/pg"
  chmod 700 "$BENCH_DIR/pg"
  as_pg "$bin/initdb" -D "$BENCH_DIR/pg" -U postgres -A trust -E UTF8 --locale=C >/dev/null
  as_pg "$bin/pg_ctl" -D "$BENCH_DIR/pg" -l "$BENCH_DIR/pg/server.log" -w \
    -o "-p $PG_PORT -k $BENCH_DIR/pg -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres pbx
  export PBX_DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/pbx"
}

start_bench_redis() {
  REDIS_PORT=$(spare_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$BENCH_DIR" >/dev/null 2>&1 &
  BENCH_PIDS+=($!)
  wait_for 10 "redis" redis-cli -p "$REDIS_PORT" ping
  export PBX_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
}

# start_pbxd NAME [VAR=value ...]: serves in the background; sets PBXD_PORT and PBXD_PID.
start_pbxd() {
  local name=$1; shift
  PBXD_PORT=$(spare_port)
  env PBX_PORT="$PBXD_PORT" PBX_HOST=127.0.0.1 PBX_LOG_LEVEL=warn "$@" \
    "$PBXD" serve >"$BENCH_DIR/$name.log" 2>&1 &
  PBXD_PID=$!
  BENCH_PIDS+=("$PBXD_PID")
  wait_for 20 "pbxd" curl -fsS "http://127.0.0.1:$PBXD_PORT/ready"
}

stop_pbxd() {
  kill -TERM "$PBXD_PID" 2>/dev/null || true
  wait "$PBXD_PID" 2>/dev/null || true
}

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# Median of the numbers on stdin.
median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
