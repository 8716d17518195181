#!/usr/bin/env bash
# The README's run command. On a fresh Debian 12 machine it installs what is missing, builds,
# starts a local PostgreSQL and Redis (unless PBX_DATABASE_URL / PBX_REDIS_URL point at yours),
# migrates, creates the demo tenant, starts the service in the background and prints its URLs
# and demo credentials. Unless PBX_CLOUDONIX_API_URL names a Cloudonix API, it also starts the
# local Cloudonix double (`pbxd cloudonix-double`), pairs the demo tenant with it and prints the
# subscribers and DNIDs the sync made there.
#   scripts/run.sh               start (or restart) in the background
#   scripts/run.sh --foreground  the same, but serve in this terminal
#   scripts/run.sh stop          stop the service and the local servers
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROOT=$(repo_root)
cd "$ROOT"

if [ "$(id -u)" -eq 0 ]; then
  export PBX_STATE_DIR=${PBX_STATE_DIR:-/var/lib/pbxd-dev}
else
  export PBX_STATE_DIR=${PBX_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/pbxd-dev}
fi
mkdir -p "$PBX_STATE_DIR"
PID_FILE=$PBX_STATE_DIR/pbxd.pid
LOG_FILE=$PBX_STATE_DIR/pbxd.log
DEMO_FILE=$PBX_STATE_DIR/demo-credentials.env
BIN=$ROOT/build/release/pbxd
export PBX_PORT=${PBX_PORT:-8080}
export PBX_PUBLIC_BASE_URL=${PBX_PUBLIC_BASE_URL:-http://127.0.0.1:$PBX_PORT}
DEMO_DOMAIN=${PBX_DEMO_DOMAIN:-demo.cloudonix.net}
CX_PID_FILE=$PBX_STATE_DIR/cloudonix-double.pid
CX_LOG_FILE=$PBX_STATE_DIR/cloudonix-double.log
CX_PORT=${PBX_CLOUDONIX_DOUBLE_PORT:-8090}

stop_service() {
  if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    kill -TERM "$(cat "$PID_FILE")"
    wait_for 30 "pbxd to stop" bash -c "! kill -0 $(cat "$PID_FILE") 2>/dev/null"
  fi
  rm -f "$PID_FILE"
}

stop_double() {
  if [ -f "$CX_PID_FILE" ] && kill -0 "$(cat "$CX_PID_FILE")" 2>/dev/null; then
    kill -TERM "$(cat "$CX_PID_FILE")"
    wait_for 10 "the Cloudonix double to stop" bash -c "! kill -0 $(cat "$CX_PID_FILE") 2>/dev/null"
  fi
  rm -f "$CX_PID_FILE"
}

if [ "${1:-}" = "stop" ]; then
  stop_service
  stop_double
  bash scripts/services.sh stop
  exit 0
fi

echo "==> installing packages (only what is missing)"
bash scripts/install-deps.sh
echo "==> building"
build_service build/release Release -DPBX_BUILD_TESTS=OFF

if [ -z "${PBX_DATABASE_URL:-}" ] || [ -z "${PBX_REDIS_URL:-}" ]; then
  echo "==> starting local PostgreSQL and Redis"
  local_urls=$(bash scripts/services.sh start)
  [ -z "${PBX_DATABASE_URL:-}" ] && export "$(echo "$local_urls" | grep ^PBX_DATABASE_URL=)"
  [ -z "${PBX_REDIS_URL:-}" ] && export "$(echo "$local_urls" | grep ^PBX_REDIS_URL=)"
fi

# The key sealing the secrets kept in Postgres: made once, kept beside the local database.
KEY_FILE=$PBX_STATE_DIR/secret-key
if [ -z "${PBX_SECRET_KEY:-}" ]; then
  [ -s "$KEY_FILE" ] || (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$KEY_FILE")
  PBX_SECRET_KEY=$(cat "$KEY_FILE")
  export PBX_SECRET_KEY
fi

echo "==> migrating"
"$BIN" migrate

echo "==> demo tenant"
# The demo PBX (IVR menu, ring group, voicemail) is seeded once, also into a demo tenant that
# was created before it existed; the credentials are written only when the tenant is new.
(umask 077 && "$BIN" bootstrap --domain "$DEMO_DOMAIN" --name "Demo Company" \
    --owner-email owner@demo.example --if-exists-skip --demo > "$DEMO_FILE.new")
if grep -q '^exists=' "$DEMO_FILE.new"; then
  rm -f "$DEMO_FILE.new"
  if [ ! -f "$DEMO_FILE" ]; then
    echo "the demo tenant exists but its credentials file is gone; new keys can be issued" \
         "through the admin API" >&2
  fi
else
  mv "$DEMO_FILE.new" "$DEMO_FILE"
fi

stop_service
# The Cloudonix double stands in for Cloudonix's REST API, with the demo domain and a domain
# API key made once (its state lives in memory: a restart pairs again and the sync fills it).
CX_KEY=""
if [ -z "${PBX_CLOUDONIX_API_URL:-}" ]; then
  stop_double
  CX_KEY_FILE=$PBX_STATE_DIR/cloudonix-double-key
  [ -s "$CX_KEY_FILE" ] ||
    (umask 077 && echo "XI$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" > "$CX_KEY_FILE")
  CX_KEY=$(cat "$CX_KEY_FILE")
  echo "==> starting the Cloudonix double on port $CX_PORT"
  nohup "$BIN" cloudonix-double --port "$CX_PORT" --domain "$DEMO_DOMAIN" --key "$CX_KEY" \
    >>"$CX_LOG_FILE" 2>&1 &
  echo $! > "$CX_PID_FILE"
  wait_for 10 "the Cloudonix double" curl -fsS "http://127.0.0.1:$CX_PORT/_double/health"
  export PBX_CLOUDONIX_API_URL=http://127.0.0.1:$CX_PORT
fi
if [ "${1:-}" = "--foreground" ]; then
  exec "$BIN" serve
fi
echo "==> starting pbxd on port $PBX_PORT"
nohup "$BIN" serve >>"$LOG_FILE" 2>&1 &
echo $! > "$PID_FILE"
if ! wait_for 30 "pbxd /ready" curl -fsS "http://127.0.0.1:$PBX_PORT/ready"; then
  tail -n 30 "$LOG_FILE" >&2
  exit 1
fi

demo_value() { sed -n "s/^$1=//p" "$DEMO_FILE"; }
# A demo tenant made before webhook tokens existed gets one now, through the admin API.
if [ -f "$DEMO_FILE" ] && [ -z "$(demo_value webhook_token)" ]; then
  issued=$(curl -fsS -X POST -H "Authorization: Bearer $(demo_value admin_token)" \
    "http://127.0.0.1:$PBX_PORT/api/v1/settings/webhook-token" |
    sed -n 's/.*"webhook_token":"\([^"]*\)".*/\1/p') || true
  [ -n "$issued" ] && (umask 077 && echo "webhook_token=$issued" >> "$DEMO_FILE")
fi

# Pairs the demo tenant with the double; the sync worker then makes a subscriber for each
# extension and a DNID for the demo number.
CX_SUMMARY=""
if [ -n "$CX_KEY" ] && [ -f "$DEMO_FILE" ]; then
  admin=(-H "Authorization: Bearer $(demo_value admin_token)" -H "Content-Type: application/json")
  api=http://127.0.0.1:$PBX_PORT/api/v1
  # Pairing gives Cloudonix the requests key and the webhook token, so pbxd keeps sealed copies
  # of the ones it gives; a key or token issued before the tenant had a Cloudonix key has none.
  # New ones are issued once the key is stored and written to the credentials file, for the
  # simulator, which plays Cloudonix.
  issue_for_cloudonix() {
    curl -fsS "${admin[@]}" "$api/settings/cloudonix" | grep -q '"paired":true' && return 0
    local key token
    key=$(curl -fsS -X POST "${admin[@]}" "$api/settings/requests-key" |
      sed -n 's/.*"requests_api_key":"\([^"]*\)".*/\1/p')
    token=$(curl -fsS -X POST "${admin[@]}" "$api/settings/webhook-token" |
      sed -n 's/.*"webhook_token":"\([^"]*\)".*/\1/p')
    [ -n "$key" ] && [ -n "$token" ] || return 1
    (umask 077 && { grep -v '^requests_api_key=\|^webhook_token=' "$DEMO_FILE"
                   echo "requests_api_key=$key"; echo "webhook_token=$token"; } > "$DEMO_FILE.new" &&
       mv "$DEMO_FILE.new" "$DEMO_FILE")
  }
  if curl -fsS -X PUT "${admin[@]}" -d "{\"api_key\":\"$CX_KEY\"}" "$api/settings/cloudonix" \
       >/dev/null && issue_for_cloudonix &&
     curl -fsS -X POST "${admin[@]}" -d "{}" "$api/settings/cloudonix/pair" >/dev/null; then
    echo "==> paired $DEMO_DOMAIN with the Cloudonix double; syncing subscribers"
    cx_state() { curl -fsS "http://127.0.0.1:$CX_PORT/_double/state"; }
    cx_list() {
      { cx_state | grep -o "\"$1\":\"[^\"]*\"" || true; } | cut -d'"' -f4 | sort -u | tr '\n' ' '
    }
    in_sync() { curl -fsS "${admin[@]}" "$api/extensions/sync" | grep -q '"missing":\[\]'; }
    wait_for 30 "the demo's subscribers on the Cloudonix double" in_sync || true
    CX_SUMMARY="Cloudonix double ($PBX_CLOUDONIX_API_URL, log $CX_LOG_FILE), paired with $DEMO_DOMAIN:
  subscribers (SIP user names)  $(cx_list msisdn)
  DNIDs                         $(cx_list source)"
  else
    CX_SUMMARY="Pairing the demo tenant with the Cloudonix double failed (see $LOG_FILE)."
  fi
fi

base=$PBX_PUBLIC_BASE_URL
cat <<INFO

pbxd is running (pid $(cat "$PID_FILE")), logs: $LOG_FILE
  health             $base/health   ready: $base/ready   metrics: $base/metrics
  voice application  $base/api/voice/route
  session updates    $base/api/webhooks/cloudonix/session-update?token=<webhook_token>
  CDRs               $base/api/webhooks/cloudonix/cdr?token=<webhook_token>
  admin API          $base/api/v1
  web console        http://127.0.0.1:$PBX_PORT/

Demo tenant ($DEMO_FILE):
$( [ -f "$DEMO_FILE" ] && sed 's/^/  /' "$DEMO_FILE")
$( [ -f "$DEMO_FILE" ] && echo "Sign in to the web console (http://127.0.0.1:$PBX_PORT/) as owner@demo.example," \
     "password $(sed -n 's/^owner_password=//p' "$DEMO_FILE")")

$CX_SUMMARY

Stop everything with: bash scripts/run.sh stop
INFO

if [ -f "$DEMO_FILE" ]; then
  # Without a token (its admin token expired before one could be issued), the demo signs.
  webhooks="--token $(demo_value webhook_token)"
  how="as real Cloudonix does (the requests key, and the webhook token in the CDR URL)"
  if [ -z "$(demo_value webhook_token)" ]; then
    webhooks="--auth hmac --secret $(demo_value webhook_secret)"
    how="with webhooks signed by the demo's webhook secret"
  fi
  echo
  echo "Simulate a call into the demo tenant (IVR menu -> Sales ring group -> Alice's voicemail)," \
       "authenticated $how; the group rings Bob and Carol, subscribers 102 and 103 of the domain:"
  echo "  $BIN simulate --url http://127.0.0.1:$PBX_PORT --key $(demo_value requests_api_key)" \
       "$webhooks --domain $DEMO_DOMAIN --from +14155550142" \
       "--to +12025550100 --digits 1 --dial no-answer,no-answer --voicemail yes" \
       "${CX_KEY:+--cloudonix-api http://127.0.0.1:$CX_PORT --cloudonix-key $CX_KEY}"
fi
