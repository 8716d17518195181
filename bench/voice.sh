#!/usr/bin/env bash
# Voice routing: how close /api/voice/route comes to the machine's ceiling (nginx serving a
# static file of the same size, same wrk, same connections), whether its latency depends on
# the tenant's size, and what the in-memory directory of 1,000 tenants costs in RSS.
#   bench/voice.sh [seconds per run, default 10] [repetitions, default 3]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROOT=$(repo_root)
SECONDS_PER_RUN=${1:-10}
REPS=${2:-3}
CONNECTIONS=50
LUA=$ROOT/bench/voice_route.lua
build_service "$ROOT/build/bench" Release -DPBX_BUILD_TESTS=OFF >/dev/null
PBXD=$ROOT/build/bench/pbxd
for tool in wrk nginx psql curl; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] ||
    { echo "$tool not found: run scripts/install-deps.sh" >&2; exit 1; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)  # printed with the figures: the machine is shared
start_bench_pg
start_bench_redis
"$PBXD" migrate >/dev/null 2>&1
sql() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAtX pbx "$@"; }

# bootstrap DOMAIN -> sets TID and KEY (the real path: owner, admin token, hashed API key).
bootstrap() {
  local creds
  creds=$("$PBXD" bootstrap --domain "$1" --owner-email "owner@$1")
  TID=$(echo "$creds" | sed -n 's/^tenant_id=//p')
  KEY=$(echo "$creds" | sed -n 's/^requests_api_key=//p')
}

# --- Seeding -----------------------------------------------------------------------------
# Bulk rows go in with session_replication_role=replica: the per-row triggers would otherwise
# update the tenant row once per extension (10,000 row versions of one tenant in one
# transaction); each seeded tenant's config_version is bumped once at the end instead.

BENCH_DOMAIN=bench.cloudonix.net
BENCH_DID=+12125550100
bootstrap "$BENCH_DOMAIN"
BENCH_TID=$TID BENCH_KEY=$KEY
# The IVR menu the benchmarked DID reaches: option 1 an extension, option 2 a hang-up.
sql <<SQL
WITH ext AS (
  INSERT INTO extensions (tenant_id, number, name) VALUES ('$BENCH_TID', '101', 'Sales')
  RETURNING id
), menu AS (
  INSERT INTO ivr_menus (tenant_id, name, prompt, options)
  SELECT '$BENCH_TID', 'Main',
         '{"say":"Press 1 for sales, 2 for support","voice":"woman","language":"en-US"}',
         jsonb_build_array(
           jsonb_build_object('digits', '1',
                              'destination', jsonb_build_object('type', 'extension', 'id', ext.id)),
           '{"digits":"2","destination":{"type":"hangup"}}'::jsonb)
  FROM ext RETURNING id
)
INSERT INTO phone_numbers (tenant_id, number, name, destination)
SELECT '$BENCH_TID', '$BENCH_DID', 'Main line', jsonb_build_object('type', 'ivr_menu', 'id', menu.id)
FROM menu;
SQL

# seed_tenant TID EXTENSIONS DIDS DID_PREFIX: extensions 1001.., DID i (DID_PREFIX + i, 4 digits)
# reaches an extension spread over the whole range.
seed_tenant() {
  local tid=$1 n_ext=$2 n_did=$3 prefix=$4
  sql <<SQL
SET session_replication_role = replica;
INSERT INTO extensions (tenant_id, number, name)
SELECT '$tid', (1000 + g)::text, 'Ext ' || g FROM generate_series(1, $n_ext) g;
INSERT INTO phone_numbers (tenant_id, number, name, destination)
SELECT '$tid', '$prefix' || lpad(d::text, 4, '0'), 'DID ' || d,
       jsonb_build_object('type', 'extension', 'id', x.id)
FROM generate_series(0, $n_did - 1) d
JOIN extensions x ON x.tenant_id = '$tid'
                 AND x.number = (1001 + d * ($n_ext / $n_did))::text;
SET session_replication_role = DEFAULT;
UPDATE tenants SET config_version = config_version + 1 WHERE id = '$tid';
SQL
}

# expect_rows WHAT EXPECTED QUERY: a seeding mistake must not pass as a figure.
expect_rows() {
  local got
  got=$(sql -c "$3")
  [ "$got" = "$2" ] || { echo "seeding: $1: expected $2, got $got" >&2; exit 1; }
}

# 1,000 tenants of 100 extensions and one DID each, straight in SQL: bootstrap would hash
# 1,000 owner passwords with Argon2. Each gets an API key hash, as a real tenant has.
seed_many_tenants() {
  sql <<'SQL'
SET session_replication_role = replica;
CREATE TEMP TABLE many AS SELECT g, gen_random_uuid() AS id FROM generate_series(1, 1000) g;
INSERT INTO tenants (id, name, domain_name, public_base_url, requests_key_hash)
SELECT id, 'Tenant ' || g, 't' || g || '.many.cloudonix.net', 'https://pbx.example.com',
       sha256(convert_to('bench-key-' || g, 'UTF8'))
FROM many;
INSERT INTO extensions (tenant_id, number, name)
SELECT many.id, (1000 + e)::text, 'Ext ' || e FROM many, generate_series(1, 100) e;
INSERT INTO phone_numbers (tenant_id, number, name, destination)
SELECT many.id, '+1646555' || lpad(g::text, 4, '0'), 'Main',
       jsonb_build_object('type', 'extension', 'id', x.id)
FROM many JOIN extensions x ON x.tenant_id = many.id AND x.number = '1001';
SQL
}

# --- Measuring ---------------------------------------------------------------------------

# wrk's output -> "rps p50_ms p99_ms max_ms non2xx socket_errors"
parse_wrk() {
  awk '
    function ms(v,  n, u) {
      n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
      if (u == "us") return n / 1000
      if (u == "s") return n * 1000
      if (u == "m") return n * 60000
      if (u == "h") return n * 3600000
      return n
    }
    $1 == "Latency" && $2 != "Distribution" { max = ms($4) }
    $1 == "Latency" && $2 == "Distribution" { dist = 1 }
    dist && $1 == "50%" { p50 = ms($2) }
    dist && $1 == "99%" { p99 = ms($2) }
    $1 == "Requests/sec:" { rps = $2 }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ { for (i = 3; i <= NF; i++) { v = $i; gsub(/,/, "", v); if (v ~ /^[0-9]+$/) errs += v } }
    END {
      if (rps == "" || p50 == "") { print "unparsable"; exit 1 }
      printf "%s %.3f %.3f %.3f %d %d\n", rps, p50, p99, max, non2xx, errs
    }'
}

# run_wrk LABEL URL SECONDS [VAR=value ...]: one wrk run, parsed; keeps wrk's own output.
run_wrk() {
  local label=$1 url=$2 secs=$3; shift 3
  local out
  out=$BENCH_DIR/wrk-$label-$(date +%s%N).txt
  env "$@" wrk -t2 -c"$CONNECTIONS" -d"${secs}s" --latency -s "$LUA" "$url" >"$out" 2>&1 ||
    { echo "wrk failed on $label:" >&2; cat "$out" >&2; exit 1; }
  parse_wrk <"$out" || { echo "cannot parse wrk output for $label:" >&2; cat "$out" >&2; exit 1; }
}

declare -A R  # R[label,i] = parsed run; R[label,field] = median

# bench_targets "LABEL URL VAR=value..." ...: a 1 s warm-up each, then the repetitions
# interleaved (a, b, a, b...), so that drift in the machine's load hits every target alike.
bench_targets() {
  local spec label url i
  for spec in "$@"; do
    read -r label url rest <<<"$spec"
    # shellcheck disable=SC2086
    run_wrk "$label" "$url" 1 $rest >/dev/null
  done
  for ((i = 1; i <= REPS; i++)); do
    for spec in "$@"; do
      read -r label url rest <<<"$spec"
      # shellcheck disable=SC2086
      R[$label,$i]=$(run_wrk "$label" "$url" "$SECONDS_PER_RUN" $rest)
    done
  done
  for spec in "$@"; do
    read -r label _ <<<"$spec"
    summarize "$label"
  done
}

summarize() {  # medians of each field over the repetitions; errors are summed
  local label=$1 i col name
  local -a names=(rps p50 p99 max)
  for col in 0 1 2 3; do
    name=${names[$col]}
    R[$label,$name]=$(for ((i = 1; i <= REPS; i++)); do
      read -ra f <<<"${R[$label,$i]}"
      echo "${f[$col]}"
    done | median)
  done
  R[$label,errors]=$(for ((i = 1; i <= REPS; i++)); do
    read -ra f <<<"${R[$label,$i]}"
    echo $((f[4] + f[5]))
  done | awk '{s += $1} END {print s + 0}')
}

# call DID KEY DOMAIN: one routing request as Cloudonix makes it; body in $BENCH_DIR/resp,
# prints the HTTP status. The call id has the length of voice_route.lua's (32 hex digits):
# it is part of the signed state in the answer, so the answer has the benchmarked size.
call() {
  local body sid
  sid=$(printf '%08x%08x%016x' "$RANDOM$RANDOM" "$(date +%s)" "$RANDOM")
  body=$(printf '{"ApiVersion":"1","CallSid":"%s","Session":"%s","From":"+14155550142","To":"%s","CallerName":"Jordan Diaz","Direction":"inbound","Domain":"%s","AccountSid":"%s","SessionData":{"id":1,"token":"%s","domainId":912,"profile":{"trunk-sip-headers":{}}}}' \
    "$sid" "$sid" "$1" "$3" "$3" "$sid")
  echo "$body" >"$BENCH_DIR/req"
  curl -sS -o "$BENCH_DIR/resp" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $2" --data-binary "@$BENCH_DIR/req" \
    "http://127.0.0.1:$PBXD_PORT/api/voice/route" || true
}

# expect_route DID KEY DOMAIN PATTERN WHAT: the route must answer 200 CXML matching PATTERN
# (retried for up to 10 s while the directory loads); otherwise shows request and answer.
expect_route() {
  local code i
  for ((i = 0; i < 50; i++)); do
    code=$(call "$1" "$2" "$3")
    [ "$code" = 200 ] && grep -q "$4" "$BENCH_DIR/resp" && return 0
    sleep 0.2
  done
  {
    echo "FAIL: /api/voice/route for $5 did not answer 200 CXML containing '$4'"
    echo "request: POST http://127.0.0.1:$PBXD_PORT/api/voice/route"
    echo "  Authorization: Bearer <requests_api_key of $3>"
    echo "  $(cat "$BENCH_DIR/req")"
    echo "response: HTTP $code"
    sed 's/^/  /' "$BENCH_DIR/resp"
    echo
  } >&2
  exit 1
}

# measure_rss EXPECTED_TENANTS: sets RSS_KB, the RSS of a fresh pbxd once its directory holds
# them all (not in a subshell: the pbxd it starts must stay in BENCH_PIDS for the cleanup).
measure_rss() {
  local i
  start_pbxd "rss-$1" PBX_LOG_LEVEL=info
  for ((i = 0; i < 300; i++)); do
    grep -q "tenant directory reloaded: $1 tenants" "$BENCH_DIR/rss-$1.log" && break
    sleep 0.1
  done
  grep -q "tenant directory reloaded: $1 tenants" "$BENCH_DIR/rss-$1.log" ||
    { echo "pbxd did not load $1 tenants:" >&2; tail -5 "$BENCH_DIR/rss-$1.log" >&2; exit 1; }
  sleep 2  # let the allocator settle after the load
  RSS_KB=$(rss_kb "$PBXD_PID")
  stop_pbxd
}

start_nginx() {  # start_nginx FILE: serves FILE as /route.xml; sets NGINX_PORT
  local dir=$BENCH_DIR/nginx
  mkdir -p "$dir/www" "$dir/tmp"
  cp "$1" "$dir/www/route.xml"
  chmod -R a+rX "$dir"
  NGINX_PORT=$(spare_port)
  cat >"$dir/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  client_body_temp_path $dir/tmp;
  default_type application/xml;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $dir/www;
  }
}
CONF
  "$NGINX" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" &
  BENCH_PIDS+=($!)
  wait_for 10 "nginx" curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/route.xml"
}

# --- 1. Voice route against the ceiling ----------------------------------------------------

measure_rss 1
rss_base=$RSS_KB
start_pbxd voice
expect_route "$BENCH_DID" "$BENCH_KEY" "$BENCH_DOMAIN" '<Gather' "the IVR DID $BENCH_DID"
cp "$BENCH_DIR/resp" "$BENCH_DIR/ivr.xml"
BODY_BYTES=$(stat -c %s "$BENCH_DIR/ivr.xml")
start_nginx "$BENCH_DIR/ivr.xml"
[ "$(curl -fsS "http://127.0.0.1:$NGINX_PORT/route.xml" | wc -c)" -eq "$BODY_BYTES" ] ||
  { echo "nginx does not serve $BODY_BYTES bytes" >&2; exit 1; }

bench_targets \
  "pbxd_ivr http://127.0.0.1:$PBXD_PORT/api/voice/route VOICE_TO=$BENCH_DID VOICE_KEY=$BENCH_KEY VOICE_DOMAIN=$BENCH_DOMAIN" \
  "nginx http://127.0.0.1:$NGINX_PORT/route.xml VOICE_GET=1" \
  "pbxd_health http://127.0.0.1:$PBXD_PORT/health VOICE_GET=1"

# --- 2. Tenant size ----------------------------------------------------------------------

bootstrap big.cloudonix.net
BIG_TID=$TID BIG_KEY=$KEY
bootstrap small.cloudonix.net
SMALL_TID=$TID SMALL_KEY=$KEY
seed_tenant "$BIG_TID" 10000 1000 +1312555
seed_tenant "$SMALL_TID" 10 10 +1313555
expect_rows "big tenant" "10000|1000" "SELECT (SELECT count(*) FROM extensions WHERE tenant_id = '$BIG_TID') || '|' || (SELECT count(*) FROM phone_numbers WHERE tenant_id = '$BIG_TID')"
expect_rows "small tenant" "10|10" "SELECT (SELECT count(*) FROM extensions WHERE tenant_id = '$SMALL_TID') || '|' || (SELECT count(*) FROM phone_numbers WHERE tenant_id = '$SMALL_TID')"
BIG_DID=+13125550500    # DID 500 -> extension 6001
SMALL_DID=+13135550005  # DID 5 -> extension 1006
stop_pbxd
start_pbxd voice-sizes
expect_route "$BIG_DID" "$BIG_KEY" big.cloudonix.net '<Dial' "the big tenant's DID $BIG_DID"
expect_route "$SMALL_DID" "$SMALL_KEY" small.cloudonix.net '<Dial' "the small tenant's DID $SMALL_DID"

bench_targets \
  "big http://127.0.0.1:$PBXD_PORT/api/voice/route VOICE_TO=$BIG_DID VOICE_KEY=$BIG_KEY VOICE_DOMAIN=big.cloudonix.net" \
  "small http://127.0.0.1:$PBXD_PORT/api/voice/route VOICE_TO=$SMALL_DID VOICE_KEY=$SMALL_KEY VOICE_DOMAIN=small.cloudonix.net"
stop_pbxd

# --- 3. Memory -----------------------------------------------------------------------------
# The same directory as the baseline (the bench tenant) plus 1,000 tenants x 100 extensions.

sql -c "DELETE FROM tenants WHERE id IN ('$BIG_TID', '$SMALL_TID')"
seed_many_tenants
expect_rows "tenants" "1001|100001|1001" "SELECT (SELECT count(*) FROM tenants) || '|' || (SELECT count(*) FROM extensions) || '|' || (SELECT count(*) FROM phone_numbers)"
measure_rss 1001
rss_many=$RSS_KB

# --- Report --------------------------------------------------------------------------------

row() {  # row LABEL
  printf '%-22s %10.0f %9.3f %9.3f %9.3f %7d\n' "$1" "${R[$1,rps]}" "${R[$1,p50]}" \
    "${R[$1,p99]}" "${R[$1,max]}" "${R[$1,errors]}"
}
warn_errors() {  # figures of failed requests are not figures of routing
  local label
  for label in "$@"; do
    [ "${R[$label,errors]}" -eq 0 ] ||
      echo "WARNING: $label: ${R[$label,errors]} failed requests (non-2xx or socket errors)"
  done
}
verdict() { if awk "BEGIN {exit !($1)}"; then echo yes; else echo NO; fi; }
header() { printf '%-22s %10s %9s %9s %9s %7s\n' target req/s p50_ms p99_ms max_ms errors; }

printf '\nVoice routing, wrk -t2 -c%s, %ss x %s runs each, medians (errors: non-2xx + socket, summed)\n' \
  "$CONNECTIONS" "$SECONDS_PER_RUN" "$REPS"
printf 'load average before: %s, after: %s (%s cores)\n' "$LOAD_BEFORE" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)"
printf '\n1. IVR DID route against nginx serving the same %s-byte body\n' "$BODY_BYTES"
header
row pbxd_ivr
row nginx
row pbxd_health
warn_errors pbxd_ivr nginx pbxd_health
ratio=$(awk -v a="${R[pbxd_ivr,rps]}" -v b="${R[nginx,rps]}" 'BEGIN {printf "%.2f", a / b}')
printf 'pbxd/nginx throughput ratio: %s (goal >= 0.7: %s)\n' "$ratio" "$(verdict "$ratio >= 0.7")"
printf 'pbxd p99 %s ms (goal < 5 ms: %s)\n' "${R[pbxd_ivr,p99]}" "$(verdict "${R[pbxd_ivr,p99]} < 5")"
# The same HTTP stack answering a handler that does nothing: the most any route can reach here.
awk -v a="${R[pbxd_health,rps]}" -v b="${R[nginx,rps]}" \
  'BEGIN {printf "pbxd /health (empty handler) / nginx: %.2f\n", a / b}'

printf '\n2. DID -> extension, big tenant (10,000 extensions, 1,000 DIDs) vs small (10, 10)\n'
header
row big
row small
warn_errors big small
sratio=$(awk -v a="${R[big,p50]}" -v b="${R[small,p50]}" 'BEGIN {printf "%.2f", a / b}')
printf 'big/small p50 ratio: %s (goal <= 1.2: %s)\n' "$sratio" "$(verdict "$sratio <= 1.2")"

printf '\n3. pbxd RSS after loading the directory (fresh process, no traffic)\n'
awk -v b="$rss_base" -v m="$rss_many" -v ok="$(verdict "$rss_many < 102400")" 'BEGIN {
  printf "%-48s %8.1f MB\n", "bench tenant only (baseline)", b / 1024
  printf "%-48s %8.1f MB (goal < 100 MB: %s)\n", "+ 1,000 tenants x 100 extensions + 1 DID each", m / 1024, ok
  printf "%-48s %8.1f kB\n", "per added tenant", (m - b) / 1000
}'
