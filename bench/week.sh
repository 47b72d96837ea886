#!/usr/bin/env bash
# The ambassador's home page (their week) with 20 briefs this week, against /healthz (the
# baseline route) in the same run: 10 s of wrk each, requests/s and p99. The data is the
# demo seed (`duta seed --demo`: three briefs) plus 17 more published through the API to
# the ambassador's work unit, so the page renders 20 briefs for an approved ambassador.
#   DUTA_BIN (default target/release/duta)   DURATION (default 10)   CONNECTIONS (default 32)
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
export DUTA_DATA_DIR="$data" DUTA_PORT=$port DUTA_LOG=error DUTA_JOBS='{enabled=false}'
"$BIN" seed --demo >"$data/seed.log" 2>&1
"$BIN" serve >"$data/serve.log" 2>&1 &
pid=$!
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.05; done
base="http://127.0.0.1:$port"
login() {
  curl -fs -H 'Content-Type: application/json' -d "{\"email\":\"$1\",\"password\":\"duta-demo-2026\"}" "$base/api/v1/auth/login" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
coordinator=$(login koordinator@demo.duta.id)
ambassador=$(login duta3@demo.duta.id)
unit=$(curl -fs -H "Authorization: Bearer $ambassador" "$base/api/v1/me/ambassador" | python3 -c 'import json,sys; print(json.load(sys.stdin)["work_unit_id"])')
week=$(curl -fs -H "Authorization: Bearer $ambassador" "$base/api/v1/briefs/current" | python3 -c 'import json,sys; print(json.load(sys.stdin)["week"])')
deadline=$(python3 -c 'import datetime; print((datetime.datetime.now(datetime.timezone.utc)+datetime.timedelta(days=3)).isoformat())')
for n in $(seq 1 17); do
  curl -fs -o /dev/null -H "Authorization: Bearer $coordinator" -H 'Content-Type: application/json' -d "{
    \"title\": \"Brief uji beban $n: layanan publik digital\", \"week\": \"$week\", \"category\": \"edukasi\",
    \"key_messages\": \"Pesan kunci $n.\", \"facts\": [{\"text\": \"Fakta $n\", \"source\": \"BPS\"}],
    \"hashtags\": [\"UjiBeban$n\", \"LayananPublik\"], \"mentions\": [\"@kemkomdigi\"],
    \"platforms\": [\"x\", \"instagram\", \"facebook\"], \"deadline\": \"$deadline\",
    \"priority\": \"$([ $((n % 5)) = 0 ] && echo urgent || echo normal)\", \"status\": \"published\",
    \"work_unit_ids\": [$unit]}" \
    "$base/api/v1/briefs"
done
shown=$(curl -fs -H "Cookie: duta_session=$ambassador" "$base/" | grep -c 'href="/briefs/[0-9]*"' || true)
[ "$shown" = 20 ] || { echo "bench: the home page shows $shown briefs, not 20" >&2; exit 1; }

load() {
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@")
  local rps p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "$rps ${p99:-?} ${non2xx:-0}"
}
read -r h_rps h_p99 h_bad <<<"$(load "$base/healthz")"
read -r w_rps w_p99 w_bad <<<"$(load -H "Cookie: duta_session=$ambassador" "$base/")"
read -r a_rps a_p99 a_bad <<<"$(load -H "Authorization: Bearer $ambassador" "$base/api/v1/briefs/current")"
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
echo "the ambassador's week with 20 briefs ($(nproc) cores, $CONNECTIONS connections, ${DURATION}s per route, $BIN)"
printf '  %-24s %10s req/s  p99 %-9s non-2xx %s\n' /healthz "$h_rps" "$h_p99" "$h_bad"
printf '  %-24s %10s req/s  p99 %-9s non-2xx %s\n' "/ (home, 20 briefs)" "$w_rps" "$w_p99" "$w_bad"
printf '  %-24s %10s req/s  p99 %-9s non-2xx %s\n' /api/v1/briefs/current "$a_rps" "$a_p99" "$a_bad"
awk -v a="$w_rps" -v b="$h_rps" 'BEGIN { printf "  home page throughput = %.3f x /healthz (same run)\n", a / b }'
awk -v a="$a_rps" -v b="$h_rps" 'BEGIN { printf "  API week throughput  = %.3f x /healthz (same run)\n", a / b }'
echo "  RSS after load: $(( rss / 1024 )) MiB"
