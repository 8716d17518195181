#!/usr/bin/env bash
# Mixed load: whole calls as Cloudonix makes them, at 50 connections for a fixed time (the
# voice request, the Gather and Dial callbacks at the action URLs the service rendered, about
# nine signed session updates with a repeated and a late delivery, one CDR), against each kind
# of request alone on the same service and nginx serving the route's answer as a static file.
# Then every acknowledged session update and CDR must be stored exactly once.
#   bench/mixed.sh [seconds per run, default 10] [repetitions, default 3]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SECONDS_PER_RUN=${1:-10}
REPS=${2:-3}
CONNECTIONS=50
DOMAIN=bench.cloudonix.net
DID=+12125550100
build_bench

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
start_bench_pg
start_bench_redis
"$PBXD" migrate >/dev/null 2>&1
bootstrap "$DOMAIN"
seed_ivr "$TID" "$DID"
start_pbxd mixed
expect_route "$DID" "$KEY" "$DOMAIN" '<Gather' "the IVR DID $DID"
start_nginx "$BENCH_DIR/resp"

# calls ONLY LABEL: the calls of the load generator, or only one kind of their requests;
# runs the target's repetitions back to back on the same pbxd, so that its RSS before the
# first and after the last shows what the load leaves behind.
calls() {
  local only=$1 label=$2 i out kind
  rss_start "$label" "$PBXD_PID"
  for ((i = 1; i <= REPS; i++)); do
    out=$("$LOADGEN" --port "$PBXD_PORT" --mode calls --only "$only" --key "$KEY" \
      --secret "$SECRET" --domain "$DOMAIN" --to "$DID" --connections "$CONNECTIONS" \
      --duration "$SECONDS_PER_RUN" --warmup 1 --acked-file "$BENCH_DIR/acked-$label-$i")
    add_run "$label" "$(loadgen_run "$out")"
    rss_end "$label" "$PBXD_PID"
    [ "$only" = all ] || continue
    jq -r .calls_per_s <<<"$out" >>"$BENCH_DIR/runs/calls_per_s"
    for kind in route callback session cdr; do
      add_run "mix-$kind" "$(loadgen_run "$out" "$kind")"
    done
  done
}

calls all mix
for kind in route callback session cdr; do calls "$kind" "$kind"; done
rss_start nginx "$NGINX_PID"
for ((i = 1; i <= REPS; i++)); do
  add_run nginx "$(loadgen_run "$("$LOADGEN" --port "$NGINX_PORT" --path /route.xml \
    --connections "$CONNECTIONS" --duration "$SECONDS_PER_RUN" --warmup 1)")"
  rss_end nginx "$NGINX_PID"
done

# Callback states the service refused (forged, expired, another call's) are logged: none may be.
refused=$(grep -c "callback state forged" "$BENCH_DIR/mixed.log" || true)

# What the mix would reach if each kind cost what it costs alone: its kinds' shares of the
# mix served one after the other at their own rates.
additive=$(for kind in route callback session cdr; do
  echo "$(figure "mix-$kind" rps) $(figure "$kind" rps)"
done | awk -v total="$(figure mix rps)" '{t += ($1 / total) / $2} END {printf "%.0f", 1 / t}')
calls_per_s=$(median <"$BENCH_DIR/runs/calls_per_s")

record_header "$(printf 'Mixed load, whole calls: loadgen -c%s, %s s x %s runs, medians; load average %s before, %s after' \
  "$CONNECTIONS" "$SECONDS_PER_RUN" "$REPS" "$LOAD_BEFORE" "$(cut -d' ' -f1-3 /proc/loadavg)")"
record_row R "all requests of the mix" mix
record_row B "nginx, route answer as a static file" nginx
record_note "$(awk -v c="$calls_per_s" -v t="$(figure mix rps)" -v a="$additive" \
  'BEGIN {printf "%.0f calls/s, %.1f requests per call; %.2f of the %.0f req/s the same mix would reach at each kind'"'"'s own rate", c, t / c, t / a, a}')"
record_row R "voice route, in the mix" mix-route
record_row B "voice route alone" route
record_row R "callbacks (gather, dial-status), in the mix" mix-callback
record_row B "callbacks alone" callback
record_row R "session updates, in the mix" mix-session
record_row B "session updates alone" session
record_row R "CDRs, in the mix" mix-cdr
record_row B "CDRs alone" cdr
record_note "callback states refused by the service: $refused"
verify_stored "$BENCH_DIR"/acked-*
[ "$refused" -eq 0 ] || { echo "FAIL: the service refused $refused callback states" >&2; exit 1; }
finish_results
