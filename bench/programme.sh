#!/usr/bin/env bash
# Issue 24: the public programme page under load, as a ratio to /healthz in the same run.
# On the demo data set (`duta seed --demo`, made fresh in a temporary folder) with the
# page's text written by its coordinator, wrk loads in turn: /healthz (the baseline), the
# programme page, the same page through an approved ambassador's referral link, its QR
# code (SVG) and the API's programme document, each anonymously as a visitor would.
#   DUTA_DATABASE_URL  default a SQLite file in the temporary folder; a postgres:// URL
#                      (an empty database) uses that database
#   DURATION (10)  CONNECTIONS (32)  DUTA_BIN (target/release/duta)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${DUTA_BIN:-target/release/duta}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-32}"
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install -y wrk)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "bench: $BIN not found; run cargo build --release" >&2; exit 1; }
work=$(mktemp -d)
export DUTA_DATA_DIR="$work/data"
kind=postgres
if [ -z "${DUTA_DATABASE_URL:-}" ]; then
  export DUTA_DATABASE_URL="sqlite://$work/data/duta.db?mode=rwc"
  kind=sqlite
fi
port=$(( 20000 + RANDOM % 20000 ))
base="http://127.0.0.1:$port"
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export DUTA_LOG=warn DUTA_JOBS='{enabled=false}' DUTA_PORT=$port
"$BIN" seed --demo >"$work/seed.log" 2>&1
"$BIN" serve >"$work/serve.log" 2>&1 &
pid=$!
until curl -fs "$base/healthz" >/dev/null; do sleep 0.1; done
login() {
  curl -fs -H 'Content-Type: application/json' -d "{\"email\":\"$1\",\"password\":\"duta-demo-2026\"}" \
    "$base/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
coordinator=$(login koordinator@demo.duta.id)
institution=$(curl -fs -H "Authorization: Bearer $coordinator" "$base/api/v1/recruitment" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["programme"]["institution_id"])')
body=$(python3 -c 'import json; print(json.dumps({"headline": "Jadilah pencerita kerja instansimu", "body": "\n\n".join(["Paragraf tentang program Duta ASN, siapa yang dicari dan apa yang dikerjakan setiap minggu."] * 6)}))')
curl -fs -o /dev/null -X PUT -H "Authorization: Bearer $coordinator" -H 'Content-Type: application/json' \
  -d "$body" "$base/api/v1/institutions/$institution/programme"
ambassador=$(login duta3@demo.duta.id)
code=$(curl -fs -H "Authorization: Bearer $ambassador" "$base/api/v1/me/referral" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["code"] or "")')
[ -n "$code" ] || { echo "bench: the demo ambassador has no referral link" >&2; exit 1; }
curl -fs "$base/program/$institution?ref=$code" | grep -q 'id="invited-by"' \
  || { echo "bench: the referral link does not name its ambassador" >&2; exit 1; }

load() {
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@")
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1=="99%" {print $2}' <<<"$out") $(awk '/Non-2xx/ {print $5}' <<<"$out")"
}
echo "public programme page: $kind, demo data ($(nproc) cores, $CONNECTIONS connections, ${DURATION}s per route, $BIN)"
read -r h_rps h_p99 _ <<<"$(load "$base/healthz")"
printf '  %-44s %10s req/s  p99 %s\n' /healthz "$h_rps" "$h_p99"
for route in "/program/$institution" "/program/$institution?ref=$code" "/program/$institution/qr.svg" \
  "/api/v1/institutions/$institution/programme"; do
  read -r rps p99 bad <<<"$(load "$base$route")"
  printf '  %-44s %10s req/s  p99 %-9s non-2xx %-4s = %s x /healthz\n' "$route" "$rps" "$p99" "${bad:-0}" \
    "$(awk -v a="$rps" -v b="$h_rps" 'BEGIN { printf "%.3f", a / b }')"
done
