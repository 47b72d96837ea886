#!/usr/bin/env bash
# Serving figures for a release build: time from `duta serve` to the first 200, idle RSS,
# and 10 s of load (wrk) on /healthz (the baseline route) and on the login page, each
# reported with its ratio to the baseline measured in the same run.
#   DUTA_BIN   the binary (default target/release/duta; build it with cargo build --release)
#   DURATION   seconds of load per route (default 10)   CONNECTIONS (default 32)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${DUTA_BIN:-target/release/duta}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-32}"
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install -y wrk)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "bench: $BIN not found; run cargo build --release" >&2; exit 1; }

data=$(mktemp -d)
port=$(( 20000 + RANDOM % 20000 ))
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT

# The database is created and migrated by the first start; the timed start is a restart,
# as on a server, and a first start on an empty folder is timed separately.
t0=$(date +%s%N)
DUTA_DATA_DIR="$data" DUTA_PORT=$port DUTA_LOG=error "$BIN" serve >"$data/serve.log" 2>&1 &
pid=$!
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.005; done
first_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
kill "$pid"; wait "$pid" 2>/dev/null || true

t0=$(date +%s%N)
DUTA_DATA_DIR="$data" DUTA_PORT=$port DUTA_LOG=error "$BIN" serve >"$data/serve.log" 2>&1 &
pid=$!
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.005; done
restart_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
sleep 2
rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")

load() {
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$port$1")
  local rps p99 errors non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Socket errors/ {gsub(",","");print $4+$6+$8+$10}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "$rps ${p99:-?} ${errors:-0} ${non2xx:-0}"
}
read -r h_rps h_p99 h_err h_bad <<<"$(load /healthz)"
read -r l_rps l_p99 l_err l_bad <<<"$(load /login)"
rss_after=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")

echo "duta serving figures ($(nproc) cores, $CONNECTIONS connections, ${DURATION}s per route, $BIN)"
echo "  first start (creates and migrates the database) to first 200: ${first_ms} ms"
echo "  restart to first 200:                                         ${restart_ms} ms"
echo "  idle RSS: $(( rss_kib / 1024 )) MiB; after load: $(( rss_after / 1024 )) MiB"
printf '  %-10s %10s req/s  p99 %-9s errors %s, non-2xx %s\n' /healthz "$h_rps" "$h_p99" "$h_err" "$h_bad"
printf '  %-10s %10s req/s  p99 %-9s errors %s, non-2xx %s\n' /login "$l_rps" "$l_p99" "$l_err" "$l_bad"
awk -v a="$l_rps" -v b="$h_rps" 'BEGIN { printf "  /login throughput = %.2f x /healthz (same run)\n", a / b }'
