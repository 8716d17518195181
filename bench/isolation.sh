#!/usr/bin/env bash
# Isolation of call routing from admin work: voice routing latency with no other load, and
# while 4 admin clients loop 90-day CDR stats and CSV exports over 1,000,000 CDRs (2 clients
# each). Runs alternate (no load, load, no load...) so that drift in the machine's load hits
# both alike. Two voice loads: paced (a fixed, moderate rate: the service's own latency) and
# saturating (wrk -c50 as fast as it goes, as in voice.sh).
#   bench/isolation.sh [seconds per run, default 10] [repetitions, default 5]
# ISOLATION_CDRS (default 1000000) sets the number of CDRs; PBXD_ENV="VAR=value ..." adds
# settings to the service (PBX_ADMIN_WORKERS=...).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROOT=$(repo_root)
SECONDS_PER_RUN=${1:-10}
REPS=${2:-5}
CDRS=${ISOLATION_CDRS:-1000000}
ADMIN_CLIENTS=4
LUA=$ROOT/bench/voice_route.lua
DOMAIN=bench.cloudonix.net
DID=+12125550100
# Paced: 10 connections, each waiting 5 ms between an answer and its next request (about
# 1,900 requests/s, far below the ceiling). Saturating: voice.sh's 50 connections, no wait.
PACED="10 5"
SATURATING="50 0"
build_bench
for tool in wrk psql curl; do
  command -v "$tool" >/dev/null || { echo "$tool not found: run scripts/install-deps.sh" >&2; exit 1; }
done

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
start_bench_pg
start_bench_redis
"$PBXD" migrate >/dev/null 2>&1
bootstrap "$DOMAIN"
seed_ivr "$TID" "$DID"

# --- 1,000,000 CDRs ------------------------------------------------------------------------
# Spread evenly over the last 120 days, so that a 90-day range holds three quarters.
seed_started=$(date +%s)
seed_cdrs "$TID" "$CDRS" 120 "$DOMAIN"
sql -c "ANALYZE cdrs"
seed_seconds=$(($(date +%s) - seed_started))
[ "$(sql -c "SELECT count(*) FROM cdrs WHERE tenant_id = '$TID'")" = "$CDRS" ] ||
  { echo "seeding: expected $CDRS CDRs" >&2; exit 1; }

# The admin clients' own limits are lifted and their statements may run for 30 s (2 s by
# default, which a 90-day report on a busy machine can exceed): the load must be the whole work
# of the stats and exports, not 429s and timeouts.
# shellcheck disable=SC2086
start_pbxd isolation PBX_ADMIN_RATE_PER_TOKEN=1000000 PBX_ADMIN_RATE_PER_IP=1000000 \
  PBX_DB_STATEMENT_TIMEOUT_MS=30000 ${PBXD_ENV:-}
expect_route "$DID" "$KEY" "$DOMAIN" '<Gather' "the IVR DID $DID"

FROM_DATE=$(date -u -d '89 days ago' +%F)
TO_DATE=$(date -u +%F)
STATS_URL="http://127.0.0.1:$PBXD_PORT/api/v1/cdrs/stats?from_date=$FROM_DATE&to_date=$TO_DATE"
CSV_URL="http://127.0.0.1:$PBXD_PORT/api/v1/cdrs?format=csv&from_date=$FROM_DATE&to_date=$TO_DATE"
in_range=$(curl -fsS -H "Authorization: Bearer $ADMIN_TOKEN" "$STATS_URL" | jq .total)
[ "$in_range" -gt $((CDRS * 7 / 10)) ] ||
  { echo "90-day stats count $in_range of $CDRS CDRs: not the load intended" >&2; exit 1; }

# admin_client N KIND: 90-day stats (or CSV exports) one after the other until stopped; one
# line per request: "kind status seconds bytes".
admin_client() {
  local url=$STATS_URL
  [ "$2" = csv ] && url=$CSV_URL
  while :; do
    curl -sS -o /dev/null -w "$2 %{http_code} %{time_total} %{size_download}\n" \
      -H "Authorization: Bearer $ADMIN_TOKEN" "$url" >>"$BENCH_DIR/admin-$1.log" 2>/dev/null || true
  done
}

ADMIN_PIDS=()
start_admin_load() {
  local n kind
  for ((n = 1; n <= ADMIN_CLIENTS; n++)); do
    kind=stats
    [ $((n % 2)) -eq 0 ] && kind=csv
    admin_client "$n" "$kind" &
    ADMIN_PIDS+=("$!")
  done
  sleep 2  # every client has a request running or waiting
}

# Stops the loops, then the request each has in flight (a cut export is not counted).
stop_admin_load() {
  local pid children
  for pid in "${ADMIN_PIDS[@]}"; do
    children=$(pgrep -P "$pid" || true)  # before the loop ends: its curl is then re-parented
    kill "$pid" 2>/dev/null || true
    # shellcheck disable=SC2086
    [ -z "$children" ] || kill $children 2>/dev/null || true
  done
  for pid in "${ADMIN_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  ADMIN_PIDS=()
}
trap 'stop_admin_load; bench_cleanup' EXIT

# voice LABEL "CONNECTIONS DELAY_MS": one wrk run of the IVR route, its figures added to LABEL.
voice() {
  local label=$1 connections delay out figures
  read -r connections delay <<<"$2"
  out=$BENCH_DIR/wrk-$label-$(date +%s%N).txt
  VOICE_TO=$DID VOICE_KEY=$KEY VOICE_DOMAIN=$DOMAIN VOICE_DELAY_MS=$delay \
    wrk -t2 -c"$connections" -d"${3:-$SECONDS_PER_RUN}s" --latency -s "$LUA" \
    "http://127.0.0.1:$PBXD_PORT/api/voice/route" >"$out" 2>&1 ||
    { echo "wrk failed on $label:" >&2; cat "$out" >&2; exit 1; }
  figures=$(parse_wrk <"$out") || { echo "cannot parse wrk output for $label:" >&2; cat "$out" >&2; exit 1; }
  [ "${3:-}" ] || add_run "$label" "$figures"
}

rss_start paced "$PBXD_PID"
voice warmup "$PACED" 2
for ((i = 1; i <= REPS; i++)); do
  for load in paced saturating; do
    spec=$PACED
    [ "$load" = saturating ] && spec=$SATURATING
    voice "$load" "$spec"
    start_admin_load
    voice "$load-admin" "$spec"
    stop_admin_load
  done
  rss_end paced "$PBXD_PID"
done

# --- Report --------------------------------------------------------------------------------

# admin_summary KIND: requests completed during the loaded runs, by status, and their median time.
admin_summary() {
  cat "$BENCH_DIR"/admin-*.log | awk -v k="$1" '$1 == k && $2 != "000"' |
    awk '{n[$2]++; t[NR] = $3} END {
      s = ""; for (c in n) s = s (s ? ", " : "") n[c] " x " c
      printf "%s", (s ? s : "none")
    }'
  printf '; median %.2f s' "$(awk -v k="$1" '$1 == k && $2 == "200" {print $3}' "$BENCH_DIR"/admin-*.log | median)"
  [ "$1" = csv ] && printf ', %.0f MB each' "$(awk '$1 == "csv" && $2 == "200" {print $4 / 1e6}' "$BENCH_DIR"/admin-*.log | median)"
  return 0
}

record_header "$(printf 'Isolation: voice routing with and without %s admin clients (2 looping 90-day stats, 2 looping 90-day CSV exports) over %s CDRs; wrk -t2, paced: -c10 and 5 ms between requests, saturating: -c50; %s s x %s runs, medians; load average %s before, %s after (%s cores)' \
  "$ADMIN_CLIENTS" "$CDRS" "$SECONDS_PER_RUN" "$REPS" "$LOAD_BEFORE" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)")"
for load in paced saturating; do
  record_row R "$load voice, under admin load" "$load-admin"
  record_row B "$load voice, no other load" "$load"
  p99=$(figure "$load" p99) p99_admin=$(figure "$load-admin" p99)
  r=$(ratio "$p99_admin" "$p99")
  record_note "p99 $p99_admin ms under admin load / $p99 ms without = $r (goal < 1.5: $(verdict "$r < 1.5")); under load $p99_admin ms (goal <= 5 ms: $(verdict "$p99_admin <= 5")); p99 per run without: $(cut -d' ' -f3 "$BENCH_DIR/runs/$load" | paste -sd' '); with: $(cut -d' ' -f3 "$BENCH_DIR/runs/$load-admin" | paste -sd' ')"
done
record_note "admin requests answered during the loaded runs: stats $(admin_summary stats); CSV exports $(admin_summary csv) (export of $in_range rows; cut-short exports at the end of each run not counted)"
record_note "$CDRS CDRs seeded in $seed_seconds s; service settings: ${PBXD_ENV:-defaults} (admin rate limits lifted, statement timeout 30 s)"
for label in paced paced-admin saturating saturating-admin; do
  [ "$(figure "$label" errors)" -eq 0 ] ||
    record_note "WARNING: $label: $(figure "$label" errors) failed voice requests"
done
finish_results
