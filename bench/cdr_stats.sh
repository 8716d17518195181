#!/usr/bin/env bash
# CDR stats at scale: one tenant with CDR_STATS_CDRS CDRs (default 2,000,000) over the last
# 365 days and a second with a tenth of that, seeded in the row shape of the webhook path.
# Each range and filter is asked CDR_STATS_REQUESTS times (default 50) through the API (the
# hourly rollups), and the same question is put CDR_STATS_SCANS times (default 5: a year takes
# seconds) to the CDRs themselves with the statement that served stats before the rollups (the
# baseline, in psql, so without HTTP: it flatters the baseline). Prints p50 and p99 of both
# (with 5 scans, p99 is the slowest) and the ratio of the p99s.
#   bench/cdr_stats.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
CDRS=${CDR_STATS_CDRS:-2000000}
REQUESTS=${CDR_STATS_REQUESTS:-50}
SCANS=${CDR_STATS_SCANS:-5}
DOMAIN=stats.cloudonix.net
build_bench
for tool in psql curl jq; do
  command -v "$tool" >/dev/null || { echo "$tool not found: run scripts/install-deps.sh" >&2; exit 1; }
done

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
start_bench_pg
start_bench_redis
"$PBXD" migrate >/dev/null 2>&1
bootstrap "other.$DOMAIN"
OTHER=$TID
bootstrap "$DOMAIN"

seed_started=$(date +%s)
seed_cdrs "$TID" "$CDRS" 365 "$DOMAIN"
seed_cdrs "$OTHER" $((CDRS / 10)) 365 "other.$DOMAIN"
sql -c "ANALYZE cdrs; ANALYZE cdr_rollups"
seed_seconds=$(($(date +%s) - seed_started))
rollup_rows=$(sql -c "SELECT count(*) FROM cdr_rollups WHERE tenant_id = '$TID'")

start_pbxd stats PBX_ADMIN_RATE_PER_TOKEN=1000000 PBX_ADMIN_RATE_PER_IP=1000000 \
  PBX_DB_STATEMENT_TIMEOUT_MS=30000

# p50_p99: "p50 p99" in ms of the seconds on stdin.
p50_p99() {
  sort -g | awk '{a[NR] = $1 * 1000} END {
    i = int(NR * 0.99 + 0.999); if (i > NR) i = NR
    printf "%.1f %.1f", a[int((NR + 1) / 2)], a[i]
  }'
}

# api QUERY: REQUESTS stats requests; prints "p50 p99 status total".
api() {
  local url="http://127.0.0.1:$PBXD_PORT/api/v1/cdrs/stats?$1" i status total
  for ((i = 0; i < REQUESTS; i++)); do
    curl -sS -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $ADMIN_TOKEN" "$url"
  done | p50_p99
  read -r status total < <(curl -sS -w '%{http_code} ' -o "$BENCH_DIR/answer.json" \
    -H "Authorization: Bearer $ADMIN_TOKEN" "$url"; jq -r '.total // .error.code' "$BENCH_DIR/answer.json")
  printf ' %s %s' "$status" "$total"
}

# scan ZONE FROM TO [CONDITION]: the former statement SCANS times; prints "p50 p99 total".
scan() {
  local i total
  total=$(sql -c "SELECT count(*) FROM cdrs WHERE tenant_id = '$TID' AND started_at >= '$2'
    AND started_at < '$3' ${4:-}")
  for ((i = 0; i < SCANS; i++)); do
    sql -c '\timing on' -c "SELECT (started_at AT TIME ZONE '$1')::date::text, disposition,
      count(*), count(*) FILTER (WHERE answered), sum(duration), sum(billsec) FROM cdrs
      WHERE tenant_id = '$TID' AND started_at >= '$2' AND started_at < '$3' ${4:-}
      GROUP BY 1, 2 ORDER BY 1, 2" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' |
      awk '{print $1 / 1000}'
  done | p50_p99
  printf ' %s' "$total"
}

# row LABEL ZONE DAYS QUERY-EXTRA [SQL-CONDITION]: one range ending today, in ZONE.
RESULTS_TEXT=$BENCH_DIR/table.txt
row() {
  local label=$1 zone=$2 days=$3 extra=$4 condition=${5:-} from to lo hi a s
  sql -c "UPDATE tenants SET timezone = '$zone' WHERE id = '$TID'"
  to=$(TZ=$zone date +%F)
  from=$(TZ=$zone date -d "$((days - 1)) days ago" +%F)
  lo=$(sql -c "SELECT ('$from'::date::timestamp AT TIME ZONE '$zone')")
  hi=$(sql -c "SELECT (('$to'::date + 1)::timestamp AT TIME ZONE '$zone')")
  read -r -a a <<<"$(api "from_date=$from&to_date=$to$extra")"
  read -r -a s <<<"$(scan "$zone" "$lo" "$hi" "$condition")"
  [ "${a[2]}" != 200 ] || [ "${a[3]}" = "${s[2]}" ] ||
    { echo "$label: the API counted ${a[3]} CDRs, the scan ${s[2]}" >&2; exit 1; }
  printf '%-44s %6s %9s %9s %9s %9s %7s  %s\n' "$label" "${a[2]}" "${a[0]}" "${a[1]}" \
    "${s[0]}" "${s[1]}" "$(ratio "${s[1]}" "${a[1]}")" "${s[2]}" | tee -a "$RESULTS_TEXT" >&2
}

printf '%-44s %6s %9s %9s %9s %9s %7s  %s\n' "stats request" status "api p50" "api p99" \
  "scan p50" "scan p99" "p99 x" "CDRs in range" | tee "$RESULTS_TEXT" >&2
row "1 day, New York" America/New_York 1 ""
row "30 days, New York" America/New_York 30 ""
row "90 days, New York" America/New_York 90 ""
row "365 days, New York" America/New_York 365 ""
row "365 days, disposition=busy,failed" America/New_York 365 "&disposition=busy,failed" \
  "AND disposition IN ('busy', 'failed')"
row "365 days, direction=inbound" America/New_York 365 "&direction=inbound" \
  "AND direction = 'inbound'"
row "365 days, Kolkata (+05:30)" Asia/Kolkata 365 ""
row "365 days, Kathmandu (+05:45)" Asia/Kathmandu 365 ""
row "7 days, to=1001 (reads CDRs)" America/New_York 7 "&to=1001" "AND to_number LIKE '1001%'"
row "365 days, to=1001 (refused: too many)" America/New_York 365 "&to=1001" \
  "AND to_number LIKE '1001%'"

printf '\nbench/cdr_stats.sh: %s CDRs for the tenant measured (%s rollup rows) and %s for another, seeded in %s s; %s requests and %s scans per row; api = GET /api/v1/cdrs/stats from the hourly rollups (curl, sequential), scan = the former statement on the CDRs (psql); load average %s before, %s after (%s cores)\n' \
  "$CDRS" "$rollup_rows" $((CDRS / 10)) "$seed_seconds" "$REQUESTS" "$SCANS" "$LOAD_BEFORE" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)"
cat "$RESULTS_TEXT"
