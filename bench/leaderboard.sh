#!/usr/bin/env bash
# The leaderboard at scale: a release build on the bench data set (`duta seed --bench`,
# 100,000 approved ambassadors and 52 weeks by default), measured in one run with wrk:
#   /healthz (the baseline), the leaderboard page (top 50 of an institution), the page
#   filtered by a work unit with its subtree, "my rank" (/api/v1/leaderboard/me) and the
#   ambassador's own page (/progress) and home page (/), the leaderboard page and "my
#   rank" again at 70 % of their own maximum rates (p99 there), and submission POSTs (new posts from 200 ambassadors,
#   with the count of each status code answered),
#   then `duta leaderboard rebuild` (time, and the corrections it had to make: none).
# On PostgreSQL the database is vacuumed and analysed after the first rebuild.
# Also: seeding time, database size, and the largest RSS seen under load.
#   DUTA_DATABASE_URL  default sqlite in BENCH_DATA (target/bench-data); a postgres://
#                      URL uses that database (created when missing)
#   AMBASSADORS (100000)  WEEKS (52)  DURATION (10)  CONNECTIONS (32)  DUTA_BIN
# The data set is built once per database and reused by later runs.
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
mkdir -p "$DATA"
export DUTA_DATA_DIR="$DATA"
if [ -z "${DUTA_DATABASE_URL:-}" ]; then
  export DUTA_DATABASE_URL="sqlite://$PWD/$DATA/bench-$AMBASSADORS-$WEEKS.db"
  kind=sqlite
else
  kind=postgres
  dbname="${DUTA_DATABASE_URL##*/}"
  admin_url="${DUTA_DATABASE_URL%/*}/postgres"
  psql "$admin_url" -tAc "SELECT 1 FROM pg_database WHERE datname = '$dbname'" | grep -q 1 \
    || psql "$admin_url" -qc "CREATE DATABASE \"$dbname\""
fi
port=$(( 20000 + RANDOM % 20000 ))
base="http://127.0.0.1:$port"
work=$(mktemp -d)
cleanup() {
  [ -n "${sampler:-}" ] && kill "$sampler" 2>/dev/null
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export DUTA_LOG=warn DUTA_JOBS='{enabled=false}' DUTA_PORT=$port

"$BIN" migrate >/dev/null 2>&1
count=$( { "$BIN" seed --bench --ambassadors "$AMBASSADORS" --weeks "$WEEKS" 2>&1 || true; } | tee "$work/seed.log" | grep -c 'bench data set written' || true)
seeded="reused"
if [ "$count" = 1 ]; then seeded=$(grep -o 'written in [0-9.]* s' "$work/seed.log"); fi

rebuild() {
  local t0 out
  t0=$(date +%s%N)
  out=$("$BIN" leaderboard rebuild 2>&1 | tail -1)
  echo "$(( ($(date +%s%N) - t0) / 1000000 )) ms, ${out#*: }"
}
rebuild_before=$(rebuild)
# PostgreSQL: vacuum and analyse what the seed and the rebuild wrote, as autovacuum would
# on a server that has it on (this machine's cluster runs with autovacuum = off).
vacuumed=""
if [ "$kind" = postgres ]; then
  t0=$(date +%s%N)
  psql "$DUTA_DATABASE_URL" -qc "VACUUM (ANALYZE)"
  vacuumed="; VACUUM (ANALYZE) before the runs: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
fi

login() {
  curl -fs -H 'Content-Type: application/json' -d "{\"email\":\"$1\",\"password\":\"duta-bench-2026\"}" "$base/api/v1/auth/login" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
started_at=$(date +%s%N)
"$BIN" serve >"$work/serve.log" 2>&1 &
pid=$!
until curl -fs "$base/healthz" >/dev/null; do sleep 0.02; done
port_ms=$(( ($(date +%s%N) - started_at) / 1000000 ))
# The first complete answer after start: an ambassador's rank (a sign-in, then the board).
early=$(login amb2@bench.duta.id)
curl -fs -o /dev/null -H "Authorization: Bearer $early" "$base/api/v1/leaderboard/me"
answer_ms=$(( ($(date +%s%N) - started_at) / 1000000 ))
coordinator=$(login coordinator1@bench.duta.id)
ambassador=$(login amb1@bench.duta.id)
: >"$work/tokens"
# Each run posts as 200 other ambassadors, so that their briefs' slots are still free.
run=$(date +%s)
first=$(( (run / 60 % (AMBASSADORS / 200)) * 200 + 1 ))
for a in $(seq "$first" $((first + 199))); do echo "$a $(login "amb$a@bench.duta.id")" >>"$work/tokens"; done
t0=$(date +%s%N)
curl -fs -o /dev/null -H "Authorization: Bearer $coordinator" "$base/api/v1/leaderboard"
first_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
unit=$(curl -fs -H "Authorization: Bearer $coordinator" "$base/api/v1/institutions/1/work-units" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
rows=$(curl -fs -H "Cookie: duta_session=$coordinator" "$base/leaderboard" | grep -c '<td class="num" data-label="[^"]*">[0-9]* %</td>' || true)
[ "$rows" = 50 ] || { echo "bench: the leaderboard page shows $rows rows, not 50" >&2; exit 1; }
cells=$(curl -fs -H "Cookie: duta_session=$ambassador" "$base/progress" | grep -c '<li class="cell ' || true)
[ "$cells" = 12 ] || { echo "bench: the own page shows $cells weeks, not 12" >&2; exit 1; }

peak=0
( while sleep 0.5; do awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null; done ) >"$work/rss" &
sampler=$!
load() {
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@")
  local rps p99 non2xx
  grep '^statuses' <<<"$out" >"$work/statuses" || true
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "$rps ${p99:-?} ${non2xx:-0}"
}
read -r h_rps h_p99 h_bad <<<"$(load "$base/healthz")"
read -r b_rps b_p99 b_bad <<<"$(load -H "Cookie: duta_session=$coordinator" "$base/leaderboard")"
read -r u_rps u_p99 u_bad <<<"$(load -H "Cookie: duta_session=$coordinator" "$base/leaderboard?work_unit_id=$unit")"
read -r m_rps m_p99 m_bad <<<"$(load -H "Authorization: Bearer $ambassador" "$base/api/v1/leaderboard/me")"
read -r p_rps p_p99 p_bad <<<"$(load -H "Cookie: duta_session=$ambassador" "$base/progress")"
read -r o_rps o_p99 o_bad <<<"$(load -H "Cookie: duta_session=$ambassador" "$base/")"
# 70 % of the page's own maximum: each connection waits between its requests.
target=$(awk -v r="$b_rps" 'BEGIN { printf "%d", r * 0.7 }')
delay=$(awk -v r="$target" -v c="$CONNECTIONS" 'BEGIN { printf "%d", c * 1000 / r }')
read -r r_rps r_p99 r_bad <<<"$(DELAY_MS=$delay HEADER="Cookie: duta_session=$coordinator" load -s bench/paced.lua "$base/leaderboard")"
m_target=$(awk -v r="$m_rps" 'BEGIN { printf "%d", r * 0.7 }')
m_delay=$(awk -v r="$m_target" -v c="$CONNECTIONS" 'BEGIN { printf "%d", c * 1000 / r }')
read -r mr_rps mr_p99 mr_bad <<<"$(DELAY_MS=$m_delay HEADER="Authorization: Bearer $ambassador" load -s bench/paced.lua "$base/api/v1/leaderboard/me")"
posted=$(python3 -c 'import datetime; print((datetime.datetime.now(datetime.timezone.utc)-datetime.timedelta(hours=1)).isoformat())')
before=$(curl -fs -H "Authorization: Bearer $coordinator" "$base/api/v1/submissions?status=verified" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
read -r s_rps s_p99 s_bad <<<"$(RUN=$run THREADS=2 TOKENS_FILE="$work/tokens" WEEKS="$WEEKS" POSTED_AT="$posted" load -s bench/submit.lua "$base/api/v1/submissions")"
statuses=$(cat "$work/statuses")
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true; sampler=
peak=$(sort -n "$work/rss" | tail -1)
locked=$(grep -ci 'database is locked' "$work/serve.log" || true)
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
rebuild_after=$(rebuild)
if [ "$kind" = sqlite ]; then
  file="${DUTA_DATABASE_URL#sqlite://}"
  size=$(du -cb "$file"* | tail -1 | awk '{printf "%.0f MiB", $1 / 1048576}')
else
  size=$(psql "$DUTA_DATABASE_URL" -tAc "SELECT pg_size_pretty(pg_database_size(current_database()))")
fi

echo "leaderboard at scale: $kind, $AMBASSADORS ambassadors, $WEEKS weeks ($(nproc) cores, $CONNECTIONS connections, ${DURATION}s per route, $BIN)"
echo "  seed: $seeded; database size: $size; first board load after start: ${first_ms} ms$vacuumed"
echo "  after start: port open in ${port_ms} ms, first 'my rank' answer (with its sign-in) at ${answer_ms} ms"
printf '  %-34s %10s req/s  p99 %-9s non-2xx %s\n' /healthz "$h_rps" "$h_p99" "$h_bad"
printf '  %-34s %10s req/s  p99 %-9s non-2xx %s\n' "/leaderboard (top 50)" "$b_rps" "$b_p99" "$b_bad"
printf '  %-34s %10s req/s  p99 %-9s non-2xx %s\n' "/leaderboard?work_unit_id=$unit" "$u_rps" "$u_p99" "$u_bad"
printf '  %-34s %10s req/s  p99 %-9s non-2xx %s\n' "/api/v1/leaderboard/me (my rank)" "$m_rps" "$m_p99" "$m_bad"
printf '  %-34s %10s req/s  p99 %-9s non-2xx %s\n' "/progress (own page)" "$p_rps" "$p_p99" "$p_bad"
printf '  %-34s %10s req/s  p99 %-9s non-2xx %s\n' "/ (the ambassador's home)" "$o_rps" "$o_p99" "$o_bad"
printf '  %-34s %10s req/s  p99 %-9s non-2xx %s\n' "/leaderboard at 70 % ($target/s)" "$r_rps" "$r_p99" "$r_bad"
printf '  %-34s %10s req/s  p99 %-9s non-2xx %s\n' "my rank at 70 % ($m_target/s)" "$mr_rps" "$mr_p99" "$mr_bad"
printf '  %-34s %10s req/s  p99 %-9s non-2xx %s\n' "POST /api/v1/submissions" "$s_rps" "$s_p99" "$s_bad"
echo "  submission answers by status: ${statuses#statuses }"
awk -v a="$b_rps" -v b="$h_rps" 'BEGIN { printf "  leaderboard page = %.3f x /healthz (same run)\n", a / b }'
awk -v a="$u_rps" -v b="$h_rps" 'BEGIN { printf "  by work unit     = %.3f x /healthz (same run)\n", a / b }'
awk -v a="$p_rps" -v b="$h_rps" 'BEGIN { printf "  /progress        = %.3f x /healthz (same run)\n", a / b }'
awk -v a="$o_rps" -v b="$h_rps" 'BEGIN { printf "  home page        = %.3f x /healthz (same run)\n", a / b }'
echo "  'database is locked' in the log: $locked; verified before the POSTs: $before"
echo "  rebuild before: $rebuild_before"
echo "  rebuild after the POSTs: $rebuild_after"
echo "  largest RSS under load: $(( ${peak:-0} / 1024 )) MiB"
