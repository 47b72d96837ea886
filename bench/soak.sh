#!/usr/bin/env bash
# Issue 19: the soak. SOAK_MINUTES (default 30) of the mixed workload of bench/soak.lua
# (ambassadors browsing and posting, a coordinator verifying, leadership reading the
# statistics and exports) at 70 % of the maximum that the same mix reaches in a first
# 30-second run, on a fresh `duta seed --bench --ambassadors 10000 --weeks 12`. The load
# runs one minute at a time; after each minute the script records the minute's rate,
# p50/p99, errors (any non-2xx answer or socket error), the server's RSS, its open file
# descriptors and (PostgreSQL) its connections. Writes bench/soak-<backend>.csv and
# bench/soak-<backend>.svg (bench/soak_plot.py) and prints the verdicts:
# 0 errors; p99 of every later minute within 1.5 × the p99 of the first five minutes;
# RSS growth after warm-up (minute 5 → last) under 10 %; no growth of descriptors or
# connections. DUTA_DATABASE_URL=postgres://… runs it on PostgreSQL (database duta_soak is
# made afresh). Needs a release build and wrk.
# SOAK_CPU=1 pins the server, wrk and (on PostgreSQL) the database server's processes to
# that core for the whole run and gives them back all cores at the end, so that other work
# on the remaining core does not steal the soak's time slices. SOAK_START_WHEN: see below.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${DUTA_BIN:-target/release/duta}"
MINUTES="${SOAK_MINUTES:-30}"
CONNECTIONS="${CONNECTIONS:-16}"
AMBASSADORS=10000
command -v wrk >/dev/null || { echo "soak: wrk is missing (apt-get install -y wrk)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "soak: $BIN is missing (cargo build --release)" >&2; exit 1; }
work=$(mktemp -d)
port=$(( 20000 + RANDOM % 20000 ))
base="http://127.0.0.1:$port"
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
pin=()
if [ -n "${SOAK_CPU:-}" ]; then
  pin=(taskset -c "$SOAK_CPU")
  if [[ "${DUTA_DATABASE_URL:-}" == postgres* ]]; then
    all_cpus="0-$(( $(nproc --all) - 1 ))"
    for p in $(pgrep -x postgres); do taskset -a -p -c "$SOAK_CPU" "$p" >/dev/null; done
    unpin_pg() { for p in $(pgrep -x postgres); do taskset -a -p -c "$all_cpus" "$p" >/dev/null || true; done; }
    trap 'cleanup; unpin_pg' EXIT
  fi
fi
export DUTA_DATA_DIR="$work" DUTA_PORT=$port DUTA_LOG=error DUTA_JOBS='{enabled=false}'
if [[ "${DUTA_DATABASE_URL:-}" == postgres* ]]; then
  backend=postgres
  pg_base="${DUTA_DATABASE_URL%/*}"
  psql "$pg_base/postgres" -qc "DROP DATABASE IF EXISTS duta_soak" -qc "CREATE DATABASE duta_soak"
  export DUTA_DATABASE_URL="$pg_base/duta_soak"
else
  backend=sqlite
  export DUTA_DATABASE_URL="sqlite://$work/duta.db?mode=rwc"
fi
echo "soak on $backend: seeding $AMBASSADORS ambassadors, 12 weeks"
"${pin[@]}" "$BIN" seed --bench --ambassadors "$AMBASSADORS" --weeks 12 >/dev/null
[ "$backend" = postgres ] && psql "$DUTA_DATABASE_URL" -qc "VACUUM (ANALYZE)"
DUTA_ADMIN_PASSWORD="soak admin password" "$BIN" create-admin --email admin@soak.duta.id --name Soak >/dev/null 2>&1
"${pin[@]}" "$BIN" serve >"$work/serve.log" 2>&1 &
pid=$!
until curl -fs "$base/healthz" >/dev/null; do sleep 0.05; done

token() { python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
login() {
  curl -fs -H 'Content-Type: application/json' -d "{\"email\":\"$1\",\"password\":\"$2\"}" "$base/api/v1/auth/login" | token
}
admin=$(login admin@soak.duta.id "soak admin password")
curl -fs -o /dev/null -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"email":"pimpinan@soak.duta.id","name":"Pimpinan Soak","role":"leadership","institution_id":1,"password":"duta-bench-2026"}' \
  "$base/api/v1/users"
LEADERSHIP=$(login pimpinan@soak.duta.id duta-bench-2026)
COORDINATOR=$(login coordinator1@bench.duta.id duta-bench-2026)
export LEADERSHIP COORDINATOR
# The ambassadors of institution 1 (the seed puts 20 of every 200 there).
python3 - "$AMBASSADORS" >"$work/emails" <<'EOF'
import sys
for a in range(1, int(sys.argv[1]) + 1):
    if (a - 1) % 200 < 20:
        print(f"amb{a}@bench.duta.id")
EOF
export base
# One at a time, each checked: a sign-in that fails is said with its status and stops the
# soak (the PostgreSQL run of 2026-12-05 signed in two at a time and 28 of 1,000 tokens
# came back empty, whose requests then counted as errors).
python3 - "$base" "$work/emails" >"$work/tokens" <<'EOF'
import json, sys, urllib.error, urllib.request
for email in open(sys.argv[2]).read().split():
    body = json.dumps({"email": email, "password": "duta-bench-2026"}).encode()
    request = urllib.request.Request(sys.argv[1] + "/api/v1/auth/login", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as r:
            print(json.load(r)["token"])
    except urllib.error.HTTPError as e:
        sys.exit(f"soak: signing in {email} answered {e.code}: {e.read()[:200]!r}")
EOF
echo "signed in: $(grep -c . "$work/tokens") ambassadors, a coordinator, leadership"
# Sixty briefs of this week for institution 1: 1,000 × 60 × 3 fresh slots.
week=$(TZ=Asia/Jakarta date +%G-W%V)
deadline=$(date -u -d '+6 days' +%Y-%m-%dT%H:%M:%SZ)
: >"$work/briefs"
for k in $(seq 1 60); do
  curl -fs -H "Authorization: Bearer $COORDINATOR" -H 'Content-Type: application/json' -d "{\"title\":\"Brief soak $k\",\"week\":\"$week\",\"category\":\"sosialisasi\",\"key_messages\":\"Layanan publik makin mudah.\",\"facts\":[],\"hashtags\":[\"ASNBerAKHLAK\"],\"mentions\":[],\"dos\":\"\",\"donts\":\"\",\"sample\":\"\",\"platforms\":[\"x\",\"instagram\",\"facebook\"],\"deadline\":\"$deadline\",\"priority\":\"normal\",\"work_unit_ids\":[],\"template_ids\":[],\"status\":\"published\"}" \
    "$base/api/v1/briefs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' >>"$work/briefs"
done
export TOKENS_FILE="$work/tokens" BRIEFS_FILE="$work/briefs" THREADS=2

# SOAK_START_WHEN=FILE: once seeded and signed in, wait until FILE exists before measuring
# (two soaks side by side, each pinned to a core of its own with SOAK_CPU, measure over the
# same half hour and neither's seeding falls into the other's minutes).
if [ -n "${SOAK_START_WHEN:-}" ]; then
  echo "soak: ready; waiting for $SOAK_START_WHEN"
  until [ -e "$SOAK_START_WHEN" ]; do sleep 1; done
fi
offset=0
run_wrk() { # seconds → wrk's output (with the script's statuses and next_offset)
  OFFSET=$offset "${pin[@]}" wrk -t2 -c"$CONNECTIONS" -d"${1}s" --timeout 10s --latency -s bench/soak.lua "$base/"
}
ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.2f", v}' <<<"$1"; }
max_out=$(DELAY_MS=0 run_wrk 30)
offset=$(awk '/^next_offset/ {print $2}' <<<"$max_out")
max_rps=$(awk '/Requests\/sec/ {print $2}' <<<"$max_out")
delay=$(python3 -c "print(max(1, round($CONNECTIONS * 1000 / (0.7 * $max_rps))))")
echo "maximum of the mix: $max_rps req/s ($(grep '^statuses' <<<"$max_out")); pacing at 70 %: $CONNECTIONS connections × 1 request / $delay ms"

csv="bench/soak-$backend.csv"
echo "minute,rps,p50_ms,p99_ms,errors,rss_kib,fds,db_connections,statuses" >"$csv"
for m in $(seq 1 "$MINUTES"); do
  out=$(DELAY_MS=$delay run_wrk 60)
  offset=$(awk '/^next_offset/ {print $2}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
  p99=$(ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
  statuses=$(awk '/^statuses/ {$1=""; print substr($0,2)}' <<<"$out")
  bad=$(tr ' ' '\n' <<<"$statuses" | awk -F: '$1 !~ /^2/ && $2 != "" {s+=$2} END {print s+0}')
  sock=$(awk '/Socket errors/ {gsub(",",""); print $4+$6+$8+$10}' <<<"$out")
  errors=$(( bad + ${sock:-0} ))
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  fds=$(ls "/proc/$pid/fd" | wc -l)
  if [ "$backend" = postgres ]; then
    conns=$(psql "$DUTA_DATABASE_URL" -Atc "select count(*) from pg_stat_activity where datname = 'duta_soak' and pid <> pg_backend_pid()")
  else
    conns=$(ls -l "/proc/$pid/fd" | grep -c 'duta.db' || true)
  fi
  echo "$m,$rps,$p50,$p99,$errors,$rss,$fds,$conns,$statuses" >>"$csv"
  echo "minute $m: $rps req/s, p50 $p50 ms, p99 $p99 ms, errors $errors, RSS $((rss / 1024)) MiB, fds $fds, db connections $conns"
done
python3 bench/soak_plot.py "$csv" "bench/soak-$backend.svg" "$backend" "$max_rps" "$delay" "$CONNECTIONS"
