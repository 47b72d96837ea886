#!/usr/bin/env bash
# The API contract suite: schemathesis (pinned, from PyPI) over every operation of
# /api/openapi.json, once per role token, against a `duta serve` on a seeded database.
#   DUTA_BIN=...            the duta binary (default ../../target/debug/duta)
#   DUTA_API_SECONDS=...    time budget per role (default 45)
#   DUTA_API_SEED=...       hypothesis seed (default 20261204)
#   DUTA_API_DESTRUCTIVE_SECONDS=...  budget per destructive operation and role (default 4)
#   DUTA_API_INCLUDE=...    only the paths matching this regular expression
#   DUTA_API_ROLES=...      roles to run (default: anonymous ambassador coordinator
#                           leadership national, the destructive operations, then admin)
# Exit status is non-zero when any run reports a failure.
set -euo pipefail
cd "$(dirname "$0")"
HERE="$(pwd)"
REPO="$(cd ../.. && pwd)"
SCHEMATHESIS_VERSION=4.32.5
BIN="${DUTA_BIN:-$REPO/target/debug/duta}"
SECONDS_PER_ROLE="${DUTA_API_SECONDS:-45}"
SEED="${DUTA_API_SEED:-20261204}"
DESTRUCTIVE_SECONDS="${DUTA_API_DESTRUCTIVE_SECONDS:-4}"
# The admin's run goes last: it may deactivate any account or fill an account's sign-in
# throttle (its stateful phase reads every user's email), which would take away the
# accounts the destructive operations sign in with.
ROLES="${DUTA_API_ROLES:-anonymous ambassador coordinator leadership national destructive admin}"

if [ ! -x "$BIN" ]; then
  echo "run.sh: duta binary not found at $BIN — build it first (cargo build) or set DUTA_BIN" >&2
  exit 1
fi
if [ "$(schemathesis --version 2>/dev/null | awk '{print $3}')" != "$SCHEMATHESIS_VERSION" ]; then
  python3 -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

WORK="$(mktemp -d /tmp/duta-api-XXXXXX)"
PORT="${DUTA_API_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
BASE="http://127.0.0.1:$PORT"
export DUTA_DATA_DIR="$WORK/data" NO_COLOR=1
mkdir -p "$DUTA_DATA_DIR"
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  if [ "${DUTA_API_KEEP:-}" = "" ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi
}
trap cleanup EXIT

ADMIN_EMAIL=admin@api.duta.id
PASSWORD=duta-api-2026
# Templates and assets are read relative to the working directory.
( cd "$REPO" && DUTA_ADMIN_PASSWORD="$PASSWORD" "$BIN" create-admin --email "$ADMIN_EMAIL" --name "Admin API" >/dev/null )
( cd "$REPO" && "$BIN" seed --demo >/dev/null )
# Every run comes from 127.0.0.1 and each tries sign-ins with made-up accounts: the
# per-address throttle (20 failures in 15 minutes; its own tests check it) would refuse
# the next role's sign-in. Per account it stays as configured.
# The same for "forgot password" requests and sign-ups, which every role's run makes.
# Push subscriptions may point at 127.0.0.1:9 (nothing listens: deliveries fail), the
# only push service a valid case can name without the internet.
( cd "$REPO" && DUTA_PORT="$PORT" DUTA_ADDRESS=127.0.0.1 DUTA_LOGIN_MAX_FAILURES_PER_IP=1000000 \
    DUTA_PASSWORD_RESET_MAX_PER_IP=1000000 DUTA_SIGNUP_MAX_PER_IP=1000000 \
    DUTA_PUSH='{services=["http://127.0.0.1:9"], private_addresses=["127.0.0.1"], timeout_secs=1}' \
    exec "$BIN" serve >"$WORK/serve.log" 2>&1 ) &
PID=$!
for _ in $(seq 1 240); do
  curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
  if ! kill -0 "$PID" 2>/dev/null; then cat "$WORK/serve.log" >&2; exit 1; fi
  sleep 0.25
done

token() { # email password -> bearer token
  curl -fsS -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$2\"}" "$BASE/api/v1/auth/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
DEMO=duta-demo-2026
declare -A EMAIL=(
  [ambassador]=duta3@demo.duta.id [coordinator]=koordinator@demo.duta.id
  [leadership]=pimpinan@demo.duta.id [national]=bakohumas@demo.duta.id
)

# Operations that end the caller's session or take their account away: the role runs
# leave them out, and the last run calls them with fresh sign-ins.
DESTRUCTIVE='^/api/v1/(auth/logout|auth/password/reset|auth/invitation/accept|me/password|me/two-factor/.*|me/erasure|me/withdrawal)$'

# Rules between fields that JSON Schema cannot state (see hooks.py).
export PYTHONPATH="$HERE${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=hooks DUTA_API_BASE="$BASE" \
  DUTA_API_PASSWORD="$DEMO"

status=0
run() { # name, extra args...
  local name="$1"; shift
  echo
  echo "==> schemathesis as $name"
  if ! schemathesis --config-file "$HERE/schemathesis.toml" run "$BASE/api/openapi.json" \
      --seed "$SEED" --max-time "$SECONDS_PER_ROLE" --checks all --no-color \
      --report junit --report-dir "$WORK/report-$name" \
      ${DUTA_API_INCLUDE:+--include-path-regex "$DUTA_API_INCLUDE"} "$@"; then
    status=1
    # The JUnit report is kept beside this script for a look (git ignores it).
    rm -rf "$HERE/report-$name"
    cp -r "$WORK/report-$name" "$HERE/report-$name" 2>/dev/null || true
  fi
}

for role in $ROLES; do
  case "$role" in
    anonymous) run anonymous --exclude-path-regex "$DESTRUCTIVE" ;;
    admin)
      t=$(token "$ADMIN_EMAIL" "$PASSWORD")
      DUTA_API_TOKEN="$t" run admin --exclude-path-regex "$DESTRUCTIVE" -H "Authorization: Bearer $t" ;;
    destructive)
      # Last, and one operation at a time with a fresh sign-in: each may end the session
      # it runs with (later requests are then 401, which the document lists).
      for who in ambassador coordinator; do
        for path in /api/v1/auth/logout /api/v1/me/two-factor/setup; do
          SECONDS_PER_ROLE="$DESTRUCTIVE_SECONDS" run "destructive-$who-${path##*/}" --include-path "$path" \
            -H "Authorization: Bearer $(token "${EMAIL[$who]}" "$DEMO")"
        done
      done
      # Each on an ambassador of its own, whose password or data it takes away: Bambang
      # (approved) changes his password, Rina (approved) withdraws, Dewi (pending) has her
      # data erased.
      for spec in duta4:/api/v1/me/password duta5:/api/v1/me/withdrawal duta1:/api/v1/me/erasure; do
        SECONDS_PER_ROLE="$DESTRUCTIVE_SECONDS" run "destructive-${spec%%:*}-${spec##*/}" --include-path "${spec#*:}" \
          -H "Authorization: Bearer $(token "${spec%%:*}@demo.duta.id" "$DEMO")"
      done
      # A profile screenshot is uploaded while the application is open (the roles above are
      # approved, and get 409): Agus (pending) uploads.
      SECONDS_PER_ROLE="$DESTRUCTIVE_SECONDS" run destructive-duta2-screenshot \
        --include-path '/api/v1/me/platforms/{platform}/screenshot' \
        -H "Authorization: Bearer $(token duta2@demo.duta.id "$DEMO")"
      # Two-step sign-in from on to off, on Agus (pending): run.sh begins the setup and
      # hands its secret to hooks.py, which writes the app's current code; turning it on
      # runs first, then renewing the recovery codes, then turning it off with a recovery
      # code taken just before (which fails, and stops the suite, unless it was turned on).
      t=$(token duta2@demo.duta.id "$DEMO")
      secret=$(curl -fsS -X POST -H "Authorization: Bearer $t" "$BASE/api/v1/me/two-factor/setup" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
      DUTA_API_TOTP_SECRET="$secret" SECONDS_PER_ROLE="$DESTRUCTIVE_SECONDS" \
        run destructive-duta2-enable --include-path /api/v1/me/two-factor/enable -H "Authorization: Bearer $t"
      SECONDS_PER_ROLE="$DESTRUCTIVE_SECONDS" \
        run destructive-duta2-recovery-codes --include-path /api/v1/me/two-factor/recovery-codes \
        -H "Authorization: Bearer $t"
      recovery=$(curl -fsS -H "Authorization: Bearer $t" -H 'Content-Type: application/json' \
        -d "{\"password\":\"$DEMO\"}" "$BASE/api/v1/me/two-factor/recovery-codes" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["recovery_codes"][0])')
      DUTA_API_RECOVERY_CODE="$recovery" SECONDS_PER_ROLE="$DESTRUCTIVE_SECONDS" \
        run destructive-duta2-disable --include-path /api/v1/me/two-factor/disable -H "Authorization: Bearer $t"
      # One of those cases turned it off: a new setup may begin (409 while it is on).
      curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $t" "$BASE/api/v1/me/two-factor/setup"
      # A password reset with a link an admin made for an account made for it just now
      # (so that no earlier run has touched it), which the first valid case
      # uses; the suite then checks that the link set a password (it is used up).
      a=$(token "$ADMIN_EMAIL" "$PASSWORD")
      fresh=$(curl -fsS -H "Authorization: Bearer $a" -H 'Content-Type: application/json' \
        -d '{"email":"lupa@api.duta.id","name":"Lupa Sandi","role":"leadership","institution_id":1,"password":"sandi-lama-2026"}' \
        "$BASE/api/v1/users" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
      reset=$(curl -fsS -X POST -H "Authorization: Bearer $a" "$BASE/api/v1/users/$fresh/password-reset-link" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["link"].rsplit("/", 1)[1])')
      DUTA_API_RESET_TOKEN="$reset" SECONDS_PER_ROLE="$DESTRUCTIVE_SECONDS" \
        run destructive-reset --include-path /api/v1/auth/password/reset
      used=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"token\":\"$reset\",\"new_password\":\"sekali lagi ya\"}" "$BASE/api/v1/auth/password/reset")
      if [ "$used" != 409 ]; then echo "the reset link was not used by the suite (answered $used)" >&2; status=1; fi
      # An invitation, the same way: an account an admin makes without a password now.
      invite=$(curl -fsS -H "Authorization: Bearer $a" -H 'Content-Type: application/json' \
        -d '{"email":"undangan@api.duta.id","name":"Undangan Baru","role":"leadership","institution_id":1}' \
        "$BASE/api/v1/users" | python3 -c 'import json,sys; print(json.load(sys.stdin)["invitation"]["link"].rsplit("/", 1)[1])')
      DUTA_API_INVITE_TOKEN="$invite" SECONDS_PER_ROLE="$DESTRUCTIVE_SECONDS" \
        run destructive-invitation --include-path /api/v1/auth/invitation/accept
      used=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"token\":\"$invite\",\"new_password\":\"sekali lagi ya\"}" "$BASE/api/v1/auth/invitation/accept")
      if [ "$used" != 409 ]; then echo "the invitation was not accepted by the suite (answered $used)" >&2; status=1; fi
      ;;
    *)
      t=$(token "${EMAIL[$role]}" "$DEMO")
      DUTA_API_TOKEN="$t" run "$role" --exclude-path-regex "$DESTRUCTIVE" -H "Authorization: Bearer $t" ;;
  esac
done
exit "$status"
