#!/usr/bin/env bash
# Where the CPU of durable webhook ingestion goes, per stored event: CPU time of pbxd, of every
# Postgres process and of Redis (from /proc), WAL bytes, WAL records and full-page images per
# event (pg_stat_wal), and checkpoints during each run, for CDRs and session updates.
#   bench/webhook_cost.sh [seconds per run, default 8] [repetitions, default 1]
# PBXD_BINS="A B" compares pbxd binaries on the same servers, alternating A, B, A, B...;
# PBXD_ENV="VAR=value ..." is passed to pbxd; PBXD_MIGRATE=BINARY migrates with another pbxd
# (the schema of its embedded migrations).
# PERF=1 also records `perf record -g` (PERF_PBXD_ARGS="--call-graph dwarf"...) of pbxd during each run (into the bench directory,
# which is removed at exit, so PERF_OUT=DIR keeps the reports there).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SECONDS_PER_RUN=${1:-8}
REPS=${2:-1}
build_bench
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start_bench_pg
start_bench_redis
"${PBXD_MIGRATE:-$PBXD}" migrate >/dev/null 2>&1
bootstrap bench.cloudonix.net
PG_PID=$(head -1 "$BENCH_DIR/pg/postmaster.pid")

write_webhook_payloads

ticks() {  # ticks PID...: "pid:ticks" (utime + stime) for each process
  local p
  for p in "$@"; do
    echo "$p:$(proc_ticks "$p")"
  done
}
# spent BEFORE AFTER: ticks spent between two `ticks` lists; a process that started in between
# (a backend the pool opened on demand) counts from 0.
spent() {
  awk -v before="$1" 'BEGIN { n = split(before, b, " "); for (i = 1; i <= n; i++) {
      split(b[i], kv, ":"); t[kv[1]] = kv[2] } }
    { for (i = 1; i <= NF; i++) { split($i, kv, ":"); s += kv[2] - t[kv[1]] } }
    END { print s + 0 }' <<<"$2"
}
pg_pids() { echo "$PG_PID" $(ps -o pid= --ppid "$PG_PID"); }
HZ=$(getconf CLK_TCK)
stats() {
  sql -F' ' -c "SELECT pg_current_wal_lsn() - '0/0', wal_records, wal_fpi,
    (SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter),
    (SELECT count(*) FROM cdrs) + (SELECT count(*) FROM session_events),
    (SELECT xact_commit FROM pg_stat_database WHERE datname = 'pbx') FROM pg_stat_wal"
}

printf '%-10s %-8s %8s %7s %7s %7s %8s %8s %8s %8s %8s %5s %7s %7s\n' pbxd kind events/s p50 p99 pbxd_us pg_us \
  redis_us wal_B rec fpi ckpt ev/xact loadgen_us
for ((i = 1; i <= REPS; i++)); do
 for bin in ${PBXD_BINS:-$PBXD}; do
  PBXD=$bin
  # shellcheck disable=SC2086
  start_pbxd group ${PBXD_ENV:-}
  for kind in cdr session; do
    path=/api/webhooks/cloudonix/cdr
    [ "$kind" = session ] && path=/api/webhooks/cloudonix/session-update
    read -r lsn0 rec0 fpi0 ck0 rows0 tx0 <<<"$(stats)"
    p0=$(ticks "$PBXD_PID"); g0=$(ticks $(pg_pids)); r0=$(ticks "$REDIS_PID")
    if [ -n "${PERF:-}" ]; then
      perf record ${PERF_PBXD_ARGS:--g} -o "${PERF_OUT:-$BENCH_DIR}/perf-pbxd-$kind-$i.data" -p "$PBXD_PID" \
        -- sleep "$SECONDS_PER_RUN" >/dev/null 2>&1 &
      PERF_PID=$!
      perf record -g -o "${PERF_OUT:-$BENCH_DIR}/perf-pg-$kind-$i.data" -p "$(pg_pids | tr ' ' ,)" \
        -- sleep "$SECONDS_PER_RUN" >/dev/null 2>&1 &
      PERF_PID="$PERF_PID $!"
    fi
    # The load generator's own CPU time: `times` in the subshell prints its children's.
    out=$("$LOADGEN" --port "$PBXD_PORT" --method POST --path "$path" --mode webhook \
      --kind "$kind" --secret "$SECRET" --domain bench.cloudonix.net \
      --body-file "$BENCH_DIR/$kind.json" --connections 50 --duration "$SECONDS_PER_RUN" \
      --warmup 1 && times >"$BENCH_DIR/loadgen.times") ||
      { echo "loadgen failed on $kind" >&2; exit 1; }
    lg=$(tail -1 "$BENCH_DIR/loadgen.times" | tr 'ms' '  ' | awk '{print ($1 * 60 + $2 + $3 * 60 + $4) * 1e6}')
    [ -z "${PERF:-}" ] || wait $PERF_PID
    p1=$(ticks "$PBXD_PID"); g1=$(ticks $(pg_pids)); r1=$(ticks "$REDIS_PID")
    read -r lsn1 rec1 fpi1 ck1 rows1 tx1 <<<"$(stats)"
    n=$((rows1 - rows0))
    read -r rps p50 p99 <<<"$(jq -r '"\(.rps) \(.latency_ms.p50) \(.latency_ms.p99)"' <<<"$out")"
    awk -v b="$(basename "$bin")" -v k="$kind" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v n="$n" -v hz="$HZ" \
      -v p="$(spent "$p0" "$p1")" -v g="$(spent "$g0" "$g1")" -v r="$(spent "$r0" "$r1")" \
      -v w="$((lsn1 - lsn0))" -v tx="$((tx1 - tx0))" -v lg="$lg" \
      -v rec="$((rec1 - rec0))" -v fpi="$((fpi1 - fpi0))" -v ck="$((ck1 - ck0))" 'BEGIN {
        u = 1e6 / hz / n
        printf "%-10s %-8s %8.0f %7.2f %7.2f %7.1f %8.1f %8.1f %8.0f %8.2f %8.3f %5d %7.1f %7.1f\n", b, k,
          rps, p50, p99, p * u, g * u, r * u, w / n, rec / n, fpi / n, ck, n / tx, lg / n }'
  done
  stop_pbxd
 done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
