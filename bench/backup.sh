#!/usr/bin/env bash
# Issue 7: `duta backup` on the bench data set while Duta serves. Measures, in one run:
#   /healthz (the baseline), the leaderboard page without a backup, the same page while
#   a backup runs (wrk starts with the backup and must end before it), and the backup's
#   wall time and size. The data set must exist: run bench/leaderboard.sh first.
#   DUTA_DATABASE_URL  default sqlite in BENCH_DATA (target/bench-data); a postgres://
#                      URL uses that database
#   AMBASSADORS (100000)  WEEKS (52)  DURATION (10)  CONNECTIONS (32)  DUTA_BIN
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${DUTA_BIN:-target/release/duta}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-32}"
AMBASSADORS="${AMBASSADORS:-100000}"
WEEKS="${WEEKS:-52}"
DATA="${BENCH_DATA:-target/bench-data}"
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install -y wrk)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "bench: $BIN not found; run cargo build --release" >&2; exit 1; }
export DUTA_DATA_DIR="$DATA"
if [ -z "${DUTA_DATABASE_URL:-}" ]; then
  export DUTA_DATABASE_URL="sqlite://$PWD/$DATA/bench-$AMBASSADORS-$WEEKS.db"
  kind=sqlite
  [ -f "$DATA/bench-$AMBASSADORS-$WEEKS.db" ] || { echo "bench: no data set; run bench/leaderboard.sh first" >&2; exit 1; }
else
  kind=postgres
fi
port=$(( 20000 + RANDOM % 20000 ))
base="http://127.0.0.1:$port"
work=$(mktemp -d -p "$PWD/$DATA")
cleanup() {
  [ -n "${backup_pid:-}" ] && kill "$backup_pid" 2>/dev/null
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export DUTA_LOG=warn DUTA_JOBS='{enabled=false}' DUTA_PORT=$port

"$BIN" serve >"$work/serve.log" 2>&1 &
pid=$!
until curl -fs "$base/healthz" >/dev/null; do sleep 0.1; done
token=$(curl -fs -H 'Content-Type: application/json' \
  -d '{"email":"coordinator1@bench.duta.id","password":"duta-bench-2026"}' "$base/api/v1/auth/login" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -fs -o /dev/null -H "Cookie: duta_session=$token" "$base/leaderboard"
load() {
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@")
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1=="99%" {print $2}' <<<"$out") $(awk '/Non-2xx/ {print $5}' <<<"$out")"
}
read -r h_rps h_p99 _ <<<"$(load "$base/healthz")"
read -r b_rps b_p99 b_bad <<<"$(load -H "Cookie: duta_session=$token" "$base/leaderboard")"
t0=$(date +%s%N)
"$BIN" backup "$work/backup" >"$work/backup.log" 2>&1 &
backup_pid=$!
read -r d_rps d_p99 d_bad <<<"$(load -H "Cookie: duta_session=$token" "$base/leaderboard")"
during=yes
kill -0 "$backup_pid" 2>/dev/null || during="no: the backup ended before the load did; raise the data set or lower DURATION"
wait "$backup_pid"
backup_pid=
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
size=$(du -sb "$work/backup" | awk '{printf "%.0f MiB", $1 / 1048576}')

echo "backup while serving: $kind, $AMBASSADORS ambassadors, $WEEKS weeks ($(nproc) cores, $CONNECTIONS connections, ${DURATION}s per route, $BIN)"
echo "  duta backup: ${ms} ms, folder $size; $(tail -1 "$work/backup.log")"
printf '  %-36s %10s req/s  p99 %s\n' /healthz "$h_rps" "$h_p99"
printf '  %-36s %10s req/s  p99 %-9s non-2xx %s\n' "/leaderboard, no backup" "$b_rps" "$b_p99" "${b_bad:-0}"
printf '  %-36s %10s req/s  p99 %-9s non-2xx %s\n' "/leaderboard, during the backup" "$d_rps" "$d_p99" "${d_bad:-0}"
echo "  load ran inside the backup: $during"
awk -v a="$d_rps" -v b="$b_rps" 'BEGIN { printf "  during / without = %.3f\n", a / b }'
awk -v a="$b_rps" -v b="$h_rps" 'BEGIN { printf "  leaderboard page = %.3f x /healthz (same run)\n", a / b }'
