#!/usr/bin/env bash
# Sign-up throughput with argon2 running, and what it does to other pages: 10 s of the
# login page alone (the baseline), then 10 s of sign-ups while the login page is loaded
# again, in the same run. Needs a release build and wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${DUTA_BIN:-target/release/duta}"
DURATION="${DURATION:-10}"
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install -y wrk)" >&2; exit 1; }
data=$(mktemp -d)
port=$(( 20000 + RANDOM % 20000 ))
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
export DUTA_DATA_DIR="$data" DUTA_PORT=$port DUTA_LOG=error DUTA_JOBS='{enabled=false}'
DUTA_ADMIN_PASSWORD="bench admin password" "$BIN" create-admin --email admin@bench.id --name Bench >/dev/null 2>&1
"$BIN" serve >"$data/serve.log" 2>&1 &
pid=$!
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.05; done
base="http://127.0.0.1:$port"
token=$(curl -fs -H 'Content-Type: application/json' -d '{"email":"admin@bench.id","password":"bench admin password"}' "$base/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
INSTITUTION=$(curl -fs -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"name":"Kementerian Bench","kind":"ministry"}' "$base/api/v1/institutions" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
UNIT=$(curl -fs -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"name":"Biro Humas"}' "$base/api/v1/institutions/$INSTITUTION/work-units" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
CONSENT=$(curl -fs "$base/api/v1/signup/form" | python3 -c 'import json,sys; print(json.load(sys.stdin)["consent_version"])')
export INSTITUTION UNIT CONSENT

summary() { awk '/Requests\/sec/ {r=$2} $1=="99%" {p=$2} /Non-2xx/ {b=$5} END {printf "%s req/s, p99 %s, non-2xx %s", r, p, (b==""?0:b)}'; }
alone=$(wrk -t1 -c4 -d"${DURATION}s" --latency "$base/login" | summary)
wrk -t1 -c4 -d"${DURATION}s" --latency -s bench/signup.lua "$base/api/v1/signup" > "$data/signup.out" &
wrk_pid=$!
during=$(wrk -t1 -c4 -d"${DURATION}s" --latency "$base/login" | summary)
wait "$wrk_pid"
signups=$(summary < "$data/signup.out")
stored=$(python3 -c "import sqlite3; print(sqlite3.connect('$data/duta.db').execute('select count(*) from ambassadors').fetchone()[0])")
echo "sign-up with argon2 ($(nproc) cores, 4 connections each, ${DURATION}s, $BIN)"
echo "  sign-ups:                     $signups; candidates stored: $stored"
echo "  login page alone (baseline):  $alone"
echo "  login page during sign-ups:   $during"
