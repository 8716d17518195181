#!/usr/bin/env bash
# Durable webhook throughput: unique signed CDRs and session updates at 50 connections,
# group commit (the service as shipped) against one transaction per request (the naive
# design), in the same run, against a Postgres with fsync and synchronous_commit on.
#   bench/webhooks.sh [seconds per run, default 10] [repetitions, default 3]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SECONDS_PER_RUN=${1:-10}
REPS=${2:-3}
build_bench

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
start_bench_pg
start_bench_redis
"$PBXD" migrate >/dev/null 2>&1
bootstrap bench.cloudonix.net

write_webhook_payloads

run_load() {  # run_load KIND PATH ACKED_FILE -> loadgen's JSON
  "$LOADGEN" --port "$PBXD_PORT" --method POST --path "$2" --mode webhook --kind "$1" \
    --secret "$SECRET" --domain bench.cloudonix.net --body-file "$BENCH_DIR/$1.json" \
    --connections 50 --duration "$SECONDS_PER_RUN" --warmup 1 --acked-file "$3"
}

for design in group naive; do
  if [ "$design" = group ]; then
    start_pbxd group
  else
    start_pbxd naive PBX_WEBHOOK_MAX_BATCH=1 PBX_WEBHOOK_WRITERS=4
  fi
  for kind in cdr session; do
    path=/api/webhooks/cloudonix/cdr
    [ "$kind" = session ] && path=/api/webhooks/cloudonix/session-update
    rss_start "$design-$kind" "$PBXD_PID"
    for ((i = 1; i <= REPS; i++)); do
      out=$(run_load "$kind" "$path" "$BENCH_DIR/acked-$design-$kind-$i")
      add_run "$design-$kind" "$(loadgen_run "$out")"
      rss_end "$design-$kind" "$PBXD_PID"
    done
  done
  stop_pbxd
done

record_header "$(printf 'Durable webhook ingestion (fsync=on, synchronous_commit=on): loadgen -c50, %s s x %s runs, medians; load average %s before, %s after' \
  "$SECONDS_PER_RUN" "$REPS" "$LOAD_BEFORE" "$(cut -d' ' -f1-3 /proc/loadavg)")"
for kind in cdr session; do
  record_row R "$kind webhooks, group commit (as shipped)" "group-$kind"
  record_row B "one transaction per request" "naive-$kind"
  gain=$(ratio "$(figure "group-$kind" rps)" "$(figure "naive-$kind" rps)")
  p99=$(figure "group-$kind" p99)
  rps=$(figure "group-$kind" rps)
  record_note "$(printf '%sx the baseline (goal >= 3x: %s); %.0f events/s (goal >= 10,000: %s); p99 %.2f ms (goal < 20 ms: %s)' \
    "$gain" "$(verdict "$gain >= 3")" "$rps" "$(verdict "$rps >= 10000")" "$p99" "$(verdict "$p99 < 20")")"
done
verify_stored "$BENCH_DIR"/acked-*
finish_results
