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
build_bench
for tool in wrk nginx psql curl; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] ||
    { echo "$tool not found: run scripts/install-deps.sh" >&2; exit 1; }
done

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)  # printed with the figures: the machine is shared
start_bench_pg
start_bench_redis
"$PBXD" migrate >/dev/null 2>&1

# --- Seeding -----------------------------------------------------------------------------
# Bulk rows go in with session_replication_role=replica: the per-row triggers would otherwise
# update the tenant row once per extension (10,000 row versions of one tenant in one
# transaction); each seeded tenant's config_version is bumped once at the end instead.

BENCH_DOMAIN=bench.cloudonix.net
BENCH_DID=+12125550100
bootstrap "$BENCH_DOMAIN"
BENCH_TID=$TID BENCH_KEY=$KEY
seed_ivr "$BENCH_TID" "$BENCH_DID"

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

# cpu_ticks PID: user + system clock ticks used so far by a process and its children (nginx's
# workers).
cpu_ticks() {
  local p t=0
  for p in "$1" $(pgrep -P "$1"); do
    t=$((t + $(proc_ticks "$p")))
  done
  echo "$t"
}

# run_wrk LABEL PID URL SECONDS [VAR=value ...]: one wrk run, parsed, followed by the CPU time
# per request of the server (PID) and of wrk itself, in microseconds; keeps wrk's own output.
# Run in a subshell, whose children's CPU time (from `times`) is wrk's and that of a few short
# helpers (date, pgrep, awk: milliseconds against wrk's seconds).
run_wrk() {
  local label=$1 pid=$2 url=$3 secs=$4; shift 4
  local out figures before after refused=
  [[ " $* " == *" EXPECT_405=1 "* ]] && refused=405
  out=$BENCH_DIR/wrk-$label-$(date +%s%N).txt
  before=$(cpu_ticks "$pid")
  env "$@" wrk -t2 -c"$CONNECTIONS" -d"${secs}s" --latency -s "$LUA" "$url" >"$out" 2>&1 ||
    { echo "wrk failed on $label:" >&2; cat "$out" >&2; exit 1; }
  after=$(cpu_ticks "$pid")
  figures=$(parse_wrk "$refused" <"$out") ||
    { echo "cannot parse wrk output for $label:" >&2; cat "$out" >&2; exit 1; }
  times >"$out.times"  # not in a pipe: that would be a fresh process without children
  tail -1 "$out.times" | awk -v f="$figures" -v secs="$secs" -v srv=$((after - before)) \
    -v hz="$(getconf CLK_TCK)" '
    function sec(v,  m) { m = v; sub(/m.*/, "", m); sub(/^[0-9]+m/, "", v); sub(/s$/, "", v); return m * 60 + v }
    { split(f, a, " "); n = a[1] * secs; if (n <= 0) n = 1
      printf "%s %.2f %.2f\n", f, srv / hz * 1e6 / n, (sec($1) + sec($2)) * 1e6 / n }'
}

# bench_targets "LABEL PID URL VAR=value..." ...: a 1 s warm-up each, then the repetitions
# interleaved (a, b, a, b...), so that drift in the machine's load hits every target alike.
# PID is the process serving the target, whose RSS is taken before and after.
bench_targets() {
  local spec label pid url rest i
  for spec in "$@"; do
    read -r label pid url rest <<<"$spec"
    rss_start "$label" "$pid"
    # shellcheck disable=SC2086
    run_wrk "$label" "$pid" "$url" 1 $rest >/dev/null
  done
  for ((i = 1; i <= REPS; i++)); do
    for spec in "$@"; do
      read -r label pid url rest <<<"$spec"
      # shellcheck disable=SC2086
      add_run "$label" "$(run_wrk "$label" "$pid" "$url" "$SECONDS_PER_RUN" $rest)"
      rss_end "$label" "$pid"
    done
  done
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
  "pbxd_ivr $PBXD_PID http://127.0.0.1:$PBXD_PORT/api/voice/route VOICE_TO=$BENCH_DID VOICE_KEY=$BENCH_KEY VOICE_DOMAIN=$BENCH_DOMAIN" \
  "nginx $NGINX_PID http://127.0.0.1:$NGINX_PORT/route.xml VOICE_GET=1" \
  "pbxd_health $PBXD_PID http://127.0.0.1:$PBXD_PORT/health VOICE_GET=1" \
  "pbxd_405 $PBXD_PID http://127.0.0.1:$PBXD_PORT/health VOICE_TO=$BENCH_DID VOICE_KEY=$BENCH_KEY VOICE_DOMAIN=$BENCH_DOMAIN EXPECT_405=1"

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
  "big $PBXD_PID http://127.0.0.1:$PBXD_PORT/api/voice/route VOICE_TO=$BIG_DID VOICE_KEY=$BIG_KEY VOICE_DOMAIN=big.cloudonix.net" \
  "small $PBXD_PID http://127.0.0.1:$PBXD_PORT/api/voice/route VOICE_TO=$SMALL_DID VOICE_KEY=$SMALL_KEY VOICE_DOMAIN=small.cloudonix.net"
stop_pbxd

# --- 3. Memory -----------------------------------------------------------------------------
# The same directory as the baseline (the bench tenant) plus 1,000 tenants x 100 extensions.

sql -c "DELETE FROM tenants WHERE id IN ('$BIG_TID', '$SMALL_TID')"
seed_many_tenants
expect_rows "tenants" "1001|100001|1001" "SELECT (SELECT count(*) FROM tenants) || '|' || (SELECT count(*) FROM extensions) || '|' || (SELECT count(*) FROM phone_numbers)"
measure_rss 1001
rss_many=$RSS_KB

# --- Report --------------------------------------------------------------------------------

ivr_ratio=$(ratio "$(figure pbxd_ivr rps)" "$(figure nginx rps)")
ivr_p99=$(figure pbxd_ivr p99)
size_ratio=$(ratio "$(figure big p50)" "$(figure small p50)")
record_header "$(printf 'Voice routing: wrk -t2 -c%s, %s s x %s runs, medians (errors summed); load average %s before, %s after (%s cores)' \
  "$CONNECTIONS" "$SECONDS_PER_RUN" "$REPS" "$LOAD_BEFORE" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)")"
record_row R "IVR DID route (pbxd)" pbxd_ivr
record_row B "nginx, the same $BODY_BYTES bytes as a static file" nginx
record_row B "pbxd GET /health (empty handler)" pbxd_health
record_row B "pbxd, route's POST to /health: 405" pbxd_405
record_note "route/nginx throughput $ivr_ratio (goal >= 0.7: $(verdict "$ivr_ratio >= 0.7")); route p99 $ivr_p99 ms (goal < 5 ms: $(verdict "$ivr_p99 < 5")); /health/nginx $(ratio "$(figure pbxd_health rps)" "$(figure nginx rps)")"
# Where the CPU goes, per request: on 2 cores the server and wrk share the machine, so a
# target's rate is about cores / (server + generator CPU per request). The same sum for
# /health (a handler that does nothing) bounds what any route can reach with this HTTP stack.
cpu_ivr=$(figure pbxd_ivr server_us) cpu_nginx=$(figure nginx server_us)
cpu_health=$(figure pbxd_health server_us) cpu_405=$(figure pbxd_405 server_us)
gen_post=$(figure pbxd_ivr generator_us) gen_get=$(figure nginx generator_us)
record_note "$(printf 'CPU per request: route %.1f us, nginx %.1f us, /health %.1f us, the POST refused with 405 %.1f us; wrk %.1f us per POST, %.1f us per GET' \
  "$cpu_ivr" "$cpu_nginx" "$cpu_health" "$cpu_405" "$gen_post" "$gen_get")"
# The 405 is the route's own request read, parsed and refused, without any routing: what the
# HTTP stack costs for that request, plus a small error answer.
record_note "$(awk -v n="$cpu_nginx" -v h="$cpu_health" -v r="$cpu_405" -v p="$gen_post" -v g="$gen_get" 'BEGIN {
  printf "a route costing no more than /health would reach (wrk GET + nginx) / (wrk POST + /health) = %.2f of nginx; no more than the 405, %.2f; 0.7 leaves the route %.1f us", (g + n) / (p + h), (g + n) / (p + r), (g + n) / 0.7 - p }')"
record_row R "DID -> extension, 10,000 ext + 1,000 DIDs" big
record_row B "the same in a tenant of 10 + 10" small
record_note "big/small p50 $size_ratio (goal <= 1.2: $(verdict "$size_ratio <= 1.2"))"
record_rss R "RSS idle, + 1,000 tenants x 100 extensions" "$rss_many"
record_rss B "RSS idle, bench tenant only" "$rss_base"
record_note "$(awk -v b="$rss_base" -v m="$rss_many" -v ok="$(verdict "$rss_many < 102400")" \
  'BEGIN {printf "%.1f MB with 1,000 more tenants (goal < 100 MB: %s), %.1f kB per tenant", m / 1024, ok, (m - b) / 1000}')"
for label in pbxd_ivr nginx pbxd_health pbxd_405 big small; do
  [ "$(figure "$label" errors)" -eq 0 ] ||
    record_note "WARNING: $label: $(figure "$label" errors) failed requests: its figures are not figures of routing"
done
finish_results
