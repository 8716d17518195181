# Throw-away servers for benchmarks (sourced). Postgres keeps its durable defaults
# (fsync=on, synchronous_commit=on): the figures are about durable writes.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

BENCH_DIR=$(mktemp -d /tmp/pbx-bench-XXXXXX)
chmod 755 "$BENCH_DIR"
BENCH_PIDS=()
# A throw-away key for the secrets the benchmark's database keeps.
PBX_SECRET_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export PBX_SECRET_KEY

# Below the kernel's ephemeral range (32768 and up), where the many client sockets of a load
# run and of other jobs would otherwise take a port between its check and its bind.
spare_port() {
  local p
  while :; do
    p=$((16384 + RANDOM % 16384))
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
  REDIS_PID=$!
  BENCH_PIDS+=("$REDIS_PID")
  wait_for 10 "redis" redis-cli -p "$REDIS_PORT" ping
  export PBX_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
}

# start_pbxd NAME [VAR=value ...]: serves in the background; sets PBXD_PORT and PBXD_PID.
# On a shared machine another job can still take the port first: then it tries another.
start_pbxd() {
  local name=$1 attempt; shift
  for attempt in 1 2 3; do
    PBXD_PORT=$(spare_port)
    env PBX_PORT="$PBXD_PORT" PBX_HOST=127.0.0.1 PBX_LOG_LEVEL=warn "$@" \
      "$PBXD" serve >"$BENCH_DIR/$name.log" 2>&1 &
    PBXD_PID=$!
    BENCH_PIDS+=("$PBXD_PID")
    wait_for 20 "pbxd" curl -fsS "http://127.0.0.1:$PBXD_PORT/ready" && return 0
    kill -TERM "$PBXD_PID" 2>/dev/null || true
    grep -q "Address already in use" "$BENCH_DIR/$name.log" || break
  done
  tail -20 "$BENCH_DIR/$name.log" >&2
  exit 1
}

stop_pbxd() {
  kill -TERM "$PBXD_PID" 2>/dev/null || true
  wait "$PBXD_PID" 2>/dev/null || true
}

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# Median of the numbers on stdin.
median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# proc_ticks PID: user + system clock ticks a process has used so far; 0 once it is gone.
proc_ticks() { awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$1/stat" 2>/dev/null || echo 0; }

rss_tree_kb() {  # rss_tree_kb PID: the RSS of a process and its children (nginx's workers)
  ps -o rss= --pid "$1" --ppid "$1" | awk '{s += $1} END {print s + 0}'
}

sql() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAtX pbx "$@"; }

# seed_cdrs TENANT ROWS DAYS DOMAIN: one INSERT ... SELECT of ROWS CDRs in the shape the webhook
# path stores (normalised columns and the raw JSON), spread evenly over the last DAYS days, every
# disposition, direction and four number prefixes.
seed_cdrs() {
  sql <<SQL
SET synchronous_commit = off;
INSERT INTO cdrs (tenant_id, session_token, call_id, started_at, answered_at, ended_at,
                  from_number, to_number, direction, disposition, disposition_raw, duration,
                  billsec, answered, cost, domain, raw)
SELECT '$1', 'seed-' || g, 'c' || g || '@sip', ts,
       CASE WHEN disp = 'answered' THEN ts + interval '4 s' END,
       ts + make_interval(secs => g % 300),
       (ARRAY['+1212555', '+1415555', '+4420755', '+3314455'])[1 + g % 4]
         || lpad((g % 10000)::text, 4, '0'),
       CASE WHEN g % 3 = 0 THEN (1000 + g % 50)::text
            ELSE '+1646555' || lpad((g % 9973)::text, 4, '0') END,
       (ARRAY['inbound', 'outbound', 'internal', 'unknown'])[1 + (g / 7) % 4], disp,
       upper(disp), g % 300,
       CASE WHEN disp = 'answered' THEN greatest(g % 300 - 4, 0) ELSE 0 END,
       disp = 'answered', CASE WHEN g % 5 <> 0 THEN (g % 100) / 1000.0 END, '$4',
       jsonb_build_object('domain', '$4', 'disposition', upper(disp),
                          'duration', g % 300, 'call_id', 'c' || g || '@sip')
FROM generate_series(1, $2) AS g,
     LATERAL (SELECT now() - make_interval(secs => g * ($3 * 86400.0 / $2)) AS ts,
                     (ARRAY['answered', 'busy', 'no_answer', 'cancelled', 'failed', 'other'])
                       [1 + (g * 7 / 3) % 6] AS disp) AS x;
SQL
}

# Builds pbxd and the load generator once (Release, build/bench); sets PBXD and LOADGEN.
build_bench() {
  build_service "$(repo_root)/build/bench" Release -DPBX_BUILD_TESTS=OFF >/dev/null
  PBXD=$(repo_root)/build/bench/pbxd
  LOADGEN=$(repo_root)/build/bench/bench/loadgen
}

# bootstrap DOMAIN -> sets TID, KEY, SECRET and ADMIN_TOKEN (the real path: owner, admin
# token, hashed API key, webhook secret).
bootstrap() {
  local creds
  creds=$("$PBXD" bootstrap --domain "$1" --owner-email "owner@$1")
  TID=$(echo "$creds" | sed -n 's/^tenant_id=//p')
  KEY=$(echo "$creds" | sed -n 's/^requests_api_key=//p')
  SECRET=$(echo "$creds" | sed -n 's/^webhook_secret=//p')
  ADMIN_TOKEN=$(echo "$creds" | sed -n 's/^admin_token=//p')
}

# seed_ivr TID DID: the DID reaches an IVR menu whose option 1 dials extension 101 and
# option 2 hangs up.
seed_ivr() {
  sql <<SQL
WITH ext AS (
  INSERT INTO extensions (tenant_id, number, name) VALUES ('$1', '101', 'Sales')
  RETURNING id
), menu AS (
  INSERT INTO ivr_menus (tenant_id, name, prompt, options)
  SELECT '$1', 'Main',
         '{"say":"Press 1 for sales, 2 for support","voice":"woman","language":"en-US"}',
         jsonb_build_array(
           jsonb_build_object('digits', '1',
                              'destination', jsonb_build_object('type', 'extension', 'id', ext.id)),
           '{"digits":"2","destination":{"type":"hangup"}}'::jsonb)
  FROM ext RETURNING id
)
INSERT INTO phone_numbers (tenant_id, number, name, destination)
SELECT '$1', '$2', 'Main line', jsonb_build_object('type', 'ivr_menu', 'id', menu.id)
FROM menu;
SQL
}

# call DID KEY DOMAIN: one routing request as Cloudonix makes it; body in $BENCH_DIR/resp,
# prints the HTTP status. The call id has the length of the load generators' (32 hex
# digits): it is part of the signed state in the answer, so the answer has the benchmarked size.
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

# write_webhook_payloads: $BENCH_DIR/cdr.json and session.json, the bodies the load generator
# sends (bench.cloudonix.net's), each {{UNIQUE}} made unique per request.
write_webhook_payloads() {
cat >"$BENCH_DIR/cdr.json" <<'JSON'
{"timestamp":1772620200,"domain":"bench.cloudonix.net","from":"+14155550142","to":"+12125550100","disposition":"ANSWER","duration":187,"billsec":181,"rated_cost":0.0121,"call_id":"{{UNIQUE}}@203.0.113.7","session":{"id":1,"token":"{{UNIQUE}}","callStartTime":1772620200000,"callAnswerTime":1772620206000,"callEndTime":1772620387000,"status":"completed"}}
JSON
cat >"$BENCH_DIR/session.json" <<'JSON'
{"id":48211907,"eventId":"{{UNIQUE}}","domain":"bench.cloudonix.net","callerId":"+14155550142","destination":"+12125550100","direction":"incoming","token":"s-{{UNIQUE}}","status":"ringing","modifiedAt":"2026-03-04T10:30:02Z","callStartTime":1772620200000}
JSON
}

# start_nginx FILE: nginx (2 workers, keep-alive, no access log) serves FILE as /route.xml;
# sets NGINX_PORT and NGINX_PID.
start_nginx() {
  local dir=$BENCH_DIR/nginx nginx
  nginx=$(command -v nginx || echo /usr/sbin/nginx)
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
  "$nginx" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" &
  NGINX_PID=$!
  BENCH_PIDS+=("$NGINX_PID")
  wait_for 10 "nginx" curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/route.xml"
}

# --- Figures -------------------------------------------------------------------------------
# Each measured target keeps its runs in $BENCH_DIR/runs/LABEL, one line per repetition:
# "req/s p50_ms p99_ms max_ms errors", and the RSS of the process serving it before its first
# run and after its last. A script's table is a list of records in $BENCH_DIR/results.tsv
# (tab-separated): "H title", "R|B name label" (a figure and its baselines) and "N note".

mkdir -p "$BENCH_DIR/runs"
RESULTS=$BENCH_DIR/results.tsv

add_run() { echo "$2" >>"$BENCH_DIR/runs/$1"; }  # add_run LABEL "rps p50 p99 max errors"

rss_start() {  # rss_start LABEL PID: before the target's first run
  [ -f "$BENCH_DIR/runs/$1.rss0" ] || rss_tree_kb "$2" >"$BENCH_DIR/runs/$1.rss0"
}
rss_end() { rss_tree_kb "$2" >"$BENCH_DIR/runs/$1.rss1"; }  # after each run: the last stays

# A loadgen result (JSON) -> "rps p50 p99 max errors", in total or for one kind of request.
loadgen_run() {
  local sel=.
  [ -z "${2:-}" ] || sel=".kinds[\"$2\"]"
  jq -r "$sel | \"\\(.rps) \\(.latency_ms.p50) \\(.latency_ms.p99) \\(.latency_ms.max) \\(.errors)\"" <<<"$1"
}

# wrk's output -> "rps p50_ms p99_ms max_ms errors" (errors: non-2xx answers + socket errors;
# with parse_wrk 405, answers other than non-2xx ones, the 405s the target should give)
parse_wrk() {
  awk -v refused="${1:-}" '
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
    $2 == "requests" && $3 == "in" { total = $1 }
    /Non-2xx or 3xx responses:/ { non2xx += $NF }
    /Socket errors:/ { for (i = 3; i <= NF; i++) { v = $i; gsub(/,/, "", v); if (v ~ /^[0-9]+$/) errs += v } }
    END {
      if (rps == "" || p50 == "") { print "unparsable"; exit 1 }
      errs += refused ? total - non2xx : non2xx
      printf "%s %.3f %.3f %.3f %d\n", rps, p50, p99, max, errs
    }'
}

# figure LABEL FIELD: the median of rps, p50, p99 or max over the runs; errors: their sum.
# Where a run also recorded CPU time per request (voice.sh), server_us and generator_us.
figure() {
  local col
  case $2 in
    rps) col=1 ;; p50) col=2 ;; p99) col=3 ;; max) col=4 ;; errors) col=5 ;;
    server_us) col=6 ;; generator_us) col=7 ;;
  esac
  if [ "$2" = errors ]; then
    awk '{s += $5} END {print s + 0}' "$BENCH_DIR/runs/$1"
  else
    cut -d' ' -f"$col" "$BENCH_DIR/runs/$1" | median
  fi
}

record_header() { printf 'H\t%s\n' "$1" >>"$RESULTS"; }
record_note() { printf 'N\t%s\n' "$1" >>"$RESULTS"; }
record_row() {  # record_row R|B NAME LABEL
  local l=$3 f
  f=$BENCH_DIR/runs/$l
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$(figure "$l" rps)" "$(figure "$l" p50)" \
    "$(figure "$l" p99)" "$(figure "$l" max)" "$(figure "$l" errors)" \
    "$(cat "$f.rss0" 2>/dev/null || echo -)" "$(cat "$f.rss1" 2>/dev/null || echo -)" >>"$RESULTS"
}
record_rss() {  # record_rss R|B NAME KB: a memory figure with no traffic
  printf '%s\t%s\t-\t-\t-\t-\t-\t-\t%s\n' "$1" "$2" "$3" >>"$RESULTS"
}

print_results() {  # print_results FILE: the table
  awk -F'\t' '
    function num(v, fmt) { return v == "-" ? sprintf("%9s", "-") : sprintf(fmt, v) }
    function mb(v) { return v == "-" ? "-" : sprintf("%.1f", v / 1024) }
    BEGIN {
      printf "%-50s %9s %9s %9s %9s %7s  %s\n", "", "req/s", "p50_ms", "p99_ms", "max_ms",
        "errors", "RSS MB start -> end"
    }
    $1 == "H" { printf "\n%s\n", $2 }
    $1 == "N" { printf "    %s\n", $2 }
    $1 == "R" || $1 == "B" {
      name = $1 == "B" ? "  baseline: " $2 : $2
      rss = $9 == "-" ? "" : $8 == "-" ? mb($9) : mb($8) " -> " mb($9)
      line = sprintf("%-50s %s %s %s %s %7s  %s", name, num($3, "%9.0f"), num($4, "%9.3f"),
        num($5, "%9.3f"), num($6, "%9.3f"), $7, rss)
      sub(/ +$/, "", line)
      print line
    }' "$1"
}

# Prints this script's table and adds it to $BENCH_ALL_RESULTS when all.sh runs it.
finish_results() {
  print_results "$RESULTS"
  if [ -n "${BENCH_ALL_RESULTS:-}" ]; then cat "$RESULTS" >>"$BENCH_ALL_RESULTS"; fi
}

verdict() { if awk "BEGIN {exit !($1)}"; then echo yes; else echo NO; fi; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

# verify_stored ACKED_FILE...: every session update and CDR the service acknowledged (the load
# generators' "<kind> <id>" lines: an eventId, a CDR's session token) must be in Postgres
# exactly once. Records the counts as notes; fails the script when one is missing or doubled.
verify_stored() {
  local all=$BENCH_DIR/acked.all counts kind acks ids once missing twice rows bad=0
  cat "$@" >"$all"
  chmod a+r "$all"
  counts=$(sql <<SQL
CREATE TEMP TABLE acked (kind text, id text);
\copy acked FROM '$all' WITH (DELIMITER ' ')
WITH stored AS (
  SELECT 'session' AS kind, substr(dedupe_key, 3) AS id, count(*) AS n
  FROM session_events WHERE dedupe_key LIKE 'e:%' GROUP BY 1, 2
  UNION ALL
  SELECT 'cdr', session_token, count(*) FROM cdrs GROUP BY 1, 2
), ids AS (SELECT kind, id, count(*) AS acks FROM acked GROUP BY 1, 2)
SELECT kind, sum(acks), count(*), count(*) FILTER (WHERE n = 1),
       count(*) FILTER (WHERE n IS NULL), count(*) FILTER (WHERE n > 1),
       CASE kind WHEN 'cdr' THEN (SELECT count(*) FROM cdrs)
                 ELSE (SELECT count(*) FROM session_events) END
FROM ids LEFT JOIN stored USING (kind, id) GROUP BY kind ORDER BY kind DESC;
SQL
)
  while IFS='|' read -r kind acks ids once missing twice rows; do
    record_note "$(printf '%s: %s acknowledged (200) ids stored exactly once of %s, missing %s, twice %s; %s answers 200 in all; %s rows (%s not acknowledged: cut off at the end of a run)' \
      "$kind" "$once" "$ids" "$missing" "$twice" "$acks" "$rows" "$((rows - once))")"
    [ "$once" = "$ids" ] || bad=1
  done <<<"$counts"
  if [ "$bad" -ne 0 ]; then
    echo "FAIL: acknowledged webhooks missing or stored twice" >&2
    print_results "$RESULTS" >&2
    exit 1
  fi
}
