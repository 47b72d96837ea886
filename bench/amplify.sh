#!/usr/bin/env bash
# Issue 23: the fan-out of an urgent brief's Web Push messages, and its live status (the
# amplification) at 100,000 ambassadors. A release build on a data set of one
# institution holding every ambassador (`duta seed --bench --institutions 1`, built on
# first use and reused), measured in one run:
#   - the push sink alone: HAProxy on 127.0.0.1 answering every POST with 201 (a push
#     service that accepts everything), driven by wrk — the baseline of the fan-out;
#   - SUBSCRIPTIONS browsers subscribed (rows written straight into push_subscriptions,
#     endpoints on the sink, the RFC 8291 example's browser key), an urgent brief
#     published to the whole institution through the API: the time to the answer (its
#     notices and deliveries are queued before it), the time until every delivery is
#     `sent`, messages per second, and the CPU Duta and the sink spent per message;
#   - the amplification (API) and the audience page of that brief (100,000 people, a third
#     of them marked as having opened it) with wrk, against /healthz in the same run.
#   DUTA_DATABASE_URL  default sqlite in BENCH_DATA (target/bench-data); a postgres://
#                      URL uses that database (created when missing)
#   AMBASSADORS (100000)  WEEKS (2)  SUBSCRIPTIONS (10000)  CONCURRENCY (64, push.concurrency)
#   DURATION (10)  CONNECTIONS (32)  SLOW_CONNECTIONS (8, for the two audience-wide routes)
#   DUTA_BIN
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${DUTA_BIN:-target/release/duta}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-32}"
AMBASSADORS="${AMBASSADORS:-100000}"
WEEKS="${WEEKS:-2}"
SUBSCRIPTIONS="${SUBSCRIPTIONS:-10000}"
CONCURRENCY="${CONCURRENCY:-64}"
SLOW_CONNECTIONS="${SLOW_CONNECTIONS:-8}"
DATA="${BENCH_DATA:-target/bench-data}"
for tool in wrk haproxy; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install -y $tool)" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "bench: $BIN not found; run cargo build --release" >&2; exit 1; }
mkdir -p "$DATA"
export DUTA_DATA_DIR="$DATA"
if [ -z "${DUTA_DATABASE_URL:-}" ]; then
  db_file="$PWD/$DATA/amplify-$AMBASSADORS-$WEEKS.db"
  export DUTA_DATABASE_URL="sqlite://$db_file"
  kind=sqlite
  sql() { sqlite3 -batch "$db_file" "$1"; }
else
  kind=postgres
  dbname="${DUTA_DATABASE_URL##*/}"
  admin_url="${DUTA_DATABASE_URL%/*}/postgres"
  psql "$admin_url" -tAc "SELECT 1 FROM pg_database WHERE datname = '$dbname'" | grep -q 1 \
    || psql "$admin_url" -qc "CREATE DATABASE \"$dbname\""
  sql() { psql "$DUTA_DATABASE_URL" -qtAc "$1"; }
fi
port=$(( 20000 + RANDOM % 20000 ))
sink=$(( port + 1 ))
base="http://127.0.0.1:$port"
work=$(mktemp -d)
cleanup() {
  [ -n "${sampler:-}" ] && kill "$sampler" 2>/dev/null
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null
  [ -n "${sink_pid:-}" ] && kill "$sink_pid" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$BIN" migrate >"$work/migrate.log" 2>&1
"$BIN" seed --bench --ambassadors "$AMBASSADORS" --weeks "$WEEKS" --institutions 1 >"$work/seed.log" 2>&1 || true
approved=$(sql "SELECT COUNT(*) FROM ambassadors WHERE institution_id = 1 AND status = 'approved'")

# The push service: HAProxy answering 201 to everything.
cat >"$work/sink.cfg" <<EOF
global
  maxconn 4000
defaults
  mode http
  timeout client 30s
  timeout connect 5s
  timeout server 30s
frontend push
  bind 127.0.0.1:$sink
  http-request return status 201
EOF
haproxy -f "$work/sink.cfg" -db >"$work/sink.log" 2>&1 &
sink_pid=$!
until curl -fs -o /dev/null -X POST "http://127.0.0.1:$sink/push/0"; do
  kill -0 "$sink_pid" 2>/dev/null || { echo "bench: the push sink (HAProxy) did not start:" >&2; cat "$work/sink.log" >&2; exit 1; }
  sleep 0.1
done
cat >"$work/post.lua" <<'EOF'
wrk.method = "POST"
wrk.body = string.rep("x", 360)
wrk.headers["Content-Type"] = "application/octet-stream"
EOF
sink_rps=$(wrk -t2 -c"$CONNECTIONS" -d5s -s "$work/post.lua" "http://127.0.0.1:$sink/push/0" | awk '/Requests\/sec/ {print $2}')

# The browsers: one subscription per ambassador, the first SUBSCRIPTIONS of them.
sql "DELETE FROM push_deliveries; DELETE FROM push_subscriptions;" >/dev/null
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sql "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at)
     SELECT a.user_id, 'http://127.0.0.1:$sink/push/' || a.user_id,
            'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
            'BTBZMqHH6r4Tts7J_aSIgg', '$now'
     FROM ambassadors a WHERE a.institution_id = 1 AND a.status = 'approved'
     ORDER BY a.id LIMIT $SUBSCRIPTIONS" >/dev/null
subs=$(sql "SELECT COUNT(*) FROM push_subscriptions")

export DUTA_LOG=warn DUTA_JOBS='{enabled=false}' DUTA_PORT=$port
export DUTA_PUSH="{services=[\"http://127.0.0.1:$sink\"], private_addresses=[\"127.0.0.1\"], concurrency=$CONCURRENCY}"
"$BIN" serve >"$work/serve.log" 2>&1 &
pid=$!
until curl -fs "$base/healthz" >/dev/null; do sleep 0.1; done
login() {
  curl -fs -H 'Content-Type: application/json' -d "{\"email\":\"$1\",\"password\":\"duta-bench-2026\"}" "$base/api/v1/auth/login" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
koor=$(login coordinator1@bench.duta.id)
week=$(python3 -c 'import datetime, zoneinfo; y, w, _ = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Jakarta")).isocalendar(); print(f"{y}-W{w:02d}")')
deadline=$(date -u -d '+6 hours' +%Y-%m-%dT%H:%M:%SZ)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
cpu0=$(ticks "$pid"); sink0=$(ticks "$sink_pid")
t0=$(date +%s%N)
brief=$(curl -fs -H "Authorization: Bearer $koor" -H 'Content-Type: application/json' \
  -d "{\"title\":\"Klarifikasi bench\",\"week\":\"$week\",\"category\":\"kontra_narasi\",\"key_messages\":\"Berita itu hoaks.\",\"platforms\":[\"x\"],\"deadline\":\"$deadline\",\"priority\":\"urgent\",\"status\":\"published\"}" \
  "$base/api/v1/briefs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
t1=$(date +%s%N)
queued=$(sql "SELECT COUNT(*) FROM push_deliveries WHERE brief_id = $brief")
sent=0
for _ in $(seq 1 6000); do
  sent=$(sql "SELECT COUNT(*) FROM push_deliveries WHERE brief_id = $brief AND state <> 'queued' AND state <> 'sending'")
  [ "$sent" -ge "$queued" ] && break
  sleep 0.05
done
t2=$(date +%s%N)
cpu1=$(ticks "$pid"); sink1=$(ticks "$sink_pid")
states=$(sql "SELECT state || ' ' || COUNT(*) FROM push_deliveries WHERE brief_id = $brief GROUP BY state" | tr '\n' ',')

# The live status of the brief: a third of the audience opened it.
sql "INSERT INTO brief_reads (brief_id, ambassador_id, first_seen_at)
     SELECT $brief, a.id, '$now' FROM ambassadors a
     WHERE a.institution_id = 1 AND a.status = 'approved' AND a.id % 3 = 0" >/dev/null
( while sleep 0.5; do awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null; done ) >"$work/rss" &
sampler=$!
load() {
  local out
  sleep 3
  # Slow routes: a 30 s timeout, so that an answer that waited behind the others counts.
  out=$(wrk -t2 -c"${C:-$CONNECTIONS}" -d"${D:-$DURATION}s" --timeout 30s --latency "$@")
  local rps p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "$rps ${p99:-?} ${non2xx:-0}"
}
amp_ms=$( { t=$(date +%s%N); curl -fs -o "$work/amp" -H "Authorization: Bearer $koor" "$base/api/v1/briefs/$brief/amplification"; echo $(( ($(date +%s%N) - t) / 1000000 )); } )
page_ms=$( { t=$(date +%s%N); curl -fs -o /dev/null -H "Cookie: duta_session=$koor" "$base/briefs/$brief/audience"; echo $(( ($(date +%s%N) - t) / 1000000 )); } )
amp=$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); print(a["audience"], a["pushed"], a["seen"])' "$work/amp")
read -r h_rps h_p99 h_bad <<<"$(load "$base/healthz")"
# The two routes over the whole audience answer in a few hundred milliseconds each: with 32
# connections on 2 cores the first answers come after 10 s, so they run with SLOW_CONNECTIONS
# for twice as long.
read -r a_rps a_p99 a_bad <<<"$(C="$SLOW_CONNECTIONS" D=$(( DURATION * 2 )) load -H "Authorization: Bearer $koor" "$base/api/v1/briefs/$brief/amplification")"
read -r p_rps p_p99 p_bad <<<"$(C="$SLOW_CONNECTIONS" D=$(( DURATION * 2 )) load -H "Cookie: duta_session=$koor" "$base/briefs/$brief/audience")"
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true; sampler=
peak=$(sort -n "$work/rss" | tail -1)

publish_ms=$(( (t1 - t0) / 1000000 ))
fanout_ms=$(( (t2 - t1) / 1000000 ))
echo "urgent brief fan-out and live status: $kind, $approved approved ambassadors in one institution, $subs subscribed browsers, push.concurrency $CONCURRENCY, $(nproc) cores, $BIN"
echo "  the sink alone (HAProxy, wrk POST): $sink_rps req/s"
echo "  publish (notices for $approved people, $queued deliveries queued before the answer): ${publish_ms} ms"
echo "  answer to the last delivery done: ${fanout_ms} ms ($states)"
awk -v n="$queued" -v ms="$fanout_ms" -v s="$sink_rps" 'BEGIN { r = n * 1000 / (ms > 0 ? ms : 1); printf "  %.0f messages/s = %.4f x the sink alone\n", r, r / s }'
awk -v n="$queued" -v c="$(( cpu1 - cpu0 ))" -v k="$(( sink1 - sink0 ))" -v hz="$hz" 'BEGIN { printf "  CPU per message: Duta %.3f ms (publishing included), the sink %.3f ms\n", c * 1000 / hz / n, k * 1000 / hz / n }'
echo "  amplification (audience, pushed, seen): $amp; first answer ${amp_ms} ms; the audience page alone ${page_ms} ms"
printf '  %-46s %10s req/s  p99 %-9s non-2xx %s\n' /healthz "$h_rps" "$h_p99" "$h_bad"
printf '  %-46s %10s req/s  p99 %-9s non-2xx %s\n' "amplification API, $SLOW_CONNECTIONS connections" "$a_rps" "$a_p99" "$a_bad"
printf '  %-46s %10s req/s  p99 %-9s non-2xx %s\n' "audience page, $SLOW_CONNECTIONS connections" "$p_rps" "$p_p99" "$p_bad"
awk -v a="$a_rps" -v p="$p_rps" -v b="$h_rps" 'BEGIN { printf "  amplification API = %.5f x /healthz; audience page = %.5f x /healthz (same run)\n", a / b, p / b }'
echo "  largest RSS under load: $(( ${peak:-0} / 1024 )) MiB"
