#!/usr/bin/env bash
# Durable webhook throughput: unique signed CDRs and session updates at 50 connections,
# group commit (the service as shipped) against one transaction per request (the naive
# design), in the same run, against a Postgres with fsync and synchronous_commit on.
#   bench/webhooks.sh [seconds per run, default 10] [repetitions, default 3]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROOT=$(repo_root)
SECONDS_PER_RUN=${1:-10}
REPS=${2:-3}
build_service "$ROOT/build/bench" Release -DPBX_BUILD_TESTS=OFF >/dev/null
PBXD=$ROOT/build/bench/pbxd
LOADGEN=$ROOT/build/bench/bench/loadgen

start_bench_pg
start_bench_redis
"$PBXD" migrate >/dev/null 2>&1
creds=$("$PBXD" bootstrap --domain bench.cloudonix.net --owner-email owner@bench.example)
SECRET=$(echo "$creds" | sed -n 's/^webhook_secret=//p')

cat >"$BENCH_DIR/cdr.json" <<'JSON'
{"timestamp":1772620200,"domain":"bench.cloudonix.net","from":"+14155550142","to":"+12125550100","disposition":"ANSWER","duration":187,"billsec":181,"rated_cost":0.0121,"call_id":"{{UNIQUE}}@203.0.113.7","session":{"id":1,"token":"{{UNIQUE}}","callStartTime":1772620200000,"callAnswerTime":1772620206000,"callEndTime":1772620387000,"status":"completed"}}
JSON
cat >"$BENCH_DIR/session.json" <<'JSON'
{"id":48211907,"eventId":"{{UNIQUE}}","domain":"bench.cloudonix.net","callerId":"+14155550142","destination":"+12125550100","direction":"incoming","token":"s-{{UNIQUE}}","status":"ringing","modifiedAt":"2026-03-04T10:30:02Z","callStartTime":1772620200000}
JSON

run_load() {  # run_load KIND PATH -> JSON line
  "$LOADGEN" --port "$PBXD_PORT" --method POST --path "$2" --mode webhook --secret "$SECRET" \
    --domain bench.cloudonix.net --body-file "$BENCH_DIR/$1.json" --connections 50 \
    --duration "$SECONDS_PER_RUN" --warmup 1
}

declare -A results
for design in group naive; do
  if [ "$design" = group ]; then
    start_pbxd group
  else
    start_pbxd naive PBX_WEBHOOK_MAX_BATCH=1 PBX_WEBHOOK_WRITERS=4
  fi
  for kind in cdr session; do
    path=/api/webhooks/cloudonix/cdr
    [ "$kind" = session ] && path=/api/webhooks/cloudonix/session-update
    for ((i = 1; i <= REPS; i++)); do
      out=$(run_load "$kind" "$path")
      results[$design,$kind,$i]=$out
    done
  done
  stop_pbxd
done

stored=$(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -Atc \
  "SELECT (SELECT count(*) FROM cdrs) || ' CDRs, ' || (SELECT count(*) FROM session_events) || ' session events'" pbx)

field() { echo "$1" | sed -n "s/.*\"$2\":\([-0-9.e+]*\).*/\1/p"; }
printf '\nDurable webhook ingestion, 50 connections, %ss x %s runs each, medians (fsync=on, synchronous_commit=on)\n' \
  "$SECONDS_PER_RUN" "$REPS"
printf '%-8s %-8s %10s %9s %9s %9s %7s\n' kind design events/s p50_ms p99_ms max_ms errors
for kind in cdr session; do
  for design in group naive; do
    rps=(); p50=(); p99=(); mx=(); err=0
    for ((i = 1; i <= REPS; i++)); do
      r=${results[$design,$kind,$i]}
      rps+=("$(field "$r" rps)")
      p50+=("$(field "$r" p50)")
      p99+=("$(field "$r" p99)")
      mx+=("$(field "$r" max)")
      err=$((err + $(field "$r" non_2xx) + $(field "$r" socket_errors)))
    done
    m_rps=$(printf '%s\n' "${rps[@]}" | median)
    results[$design,$kind,median]=$m_rps
    printf '%-8s %-8s %10.0f %9.2f %9.2f %9.2f %7d\n' "$kind" "$design" "$m_rps" \
      "$(printf '%s\n' "${p50[@]}" | median)" "$(printf '%s\n' "${p99[@]}" | median)" \
      "$(printf '%s\n' "${mx[@]}" | median)" "$err"
  done
  awk -v g="${results[group,$kind,median]}" -v n="${results[naive,$kind,median]}" -v k="$kind" \
    'BEGIN {printf "%-8s group/naive throughput ratio: %.2fx\n", k, g / n}'
done
echo "stored: $stored"
