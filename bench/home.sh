#!/usr/bin/env bash
# Issue 21: the coordinator's home and a brief's audience list at scale. A release build
# on the bench data set (`duta seed --bench`, 100,000 approved ambassadors by default;
# built on first use and reused), measured in one run with wrk: /healthz (the baseline),
# then for a coordinator of one institution (about a tenth of everyone) the home page and
# GET /api/v1/home, a brief of this week's audience page (everyone in the institution),
# its "not seen" filter and the API's first 50; leadership's home (this week, the trend,
# the lagging units); each at full load, then the home page and the audience page paced
# at 70 % of their maximum (p99 there); the largest RSS; and one CSV of the audience.
#   DUTA_DATABASE_URL  default sqlite in BENCH_DATA (target/bench-data); a postgres://
#                      URL uses that database (created when missing)
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

"$BIN" migrate >"$work/migrate.log" 2>&1
"$BIN" seed --bench --ambassadors "$AMBASSADORS" --weeks "$WEEKS" >"$work/seed.log" 2>&1 || true
DUTA_ADMIN_PASSWORD=duta-bench-2026 "$BIN" create-admin --email admin@bench.duta.id \
  --name "Admin Bench" >/dev/null 2>&1 || true

"$BIN" serve >"$work/serve.log" 2>&1 &
pid=$!
until curl -fs "$base/healthz" >/dev/null; do sleep 0.1; done
login() {
  curl -fs -H 'Content-Type: application/json' -d "{\"email\":\"$1\",\"password\":\"duta-bench-2026\"}" "$base/api/v1/auth/login" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
admin=$(login admin@bench.duta.id)
for who in "home@bench.duta.id coordinator" "pimpinan@bench.duta.id leadership"; do
  set -- $who
  curl -s -o /dev/null -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1\",\"name\":\"Bench $2\",\"role\":\"$2\",\"institution_id\":1,\"password\":\"duta-bench-2026\"}" \
    "$base/api/v1/users"
done
koor=$(login home@bench.duta.id)
lead=$(login pimpinan@bench.duta.id)
week=$(python3 -c 'import datetime, zoneinfo; y, w, _ = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Jakarta")).isocalendar(); print(f"{y}-W{w:02d}")')
brief=$(curl -fs -H "Authorization: Bearer $koor" "$base/api/v1/briefs?week=$week" \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); print(next(b["id"] for b in d if b["status"] == "published"))')
audience=$(curl -fs -H "Authorization: Bearer $koor" "$base/api/v1/briefs/$brief/audience?limit=1" \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["total"], json.dumps(d["counts"]))')
code=$(curl -s -o "$work/home" -w '%{http_code}' -H "Cookie: duta_session=$koor" "$base/")
grep -q 'Pekerjaan hari ini' "$work/home" \
  || { echo "bench: the home page answered $code without the day's work" >&2; head -c 600 "$work/home" >&2; exit 1; }
first() {
  local t0
  t0=$(date +%s%N)
  curl -fs -o "$work/out" "$@"
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
csv_ms=$(first -H "Cookie: duta_session=$koor" "$base/briefs/$brief/audience.csv")
csv_rows=$(( $(wc -l <"$work/out") - 1 ))

( while sleep 0.5; do awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null; done ) >"$work/rss" &
sampler=$!
load() {
  local out
  # The requests the previous run left in flight finish first (wrk does not wait for them).
  sleep 3
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@")
  local rps p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "$rps ${p99:-?} ${non2xx:-0}"
}
paced() {
  local target delay
  target=$(awk -v r="$1" 'BEGIN { printf "%d", r * 0.7 }')
  [ "$target" -ge 1 ] || target=1
  delay=$(awk -v r="$target" -v c="$CONNECTIONS" 'BEGIN { printf "%d", c * 1000 / r }')
  echo "$target $(DELAY_MS=$delay HEADER="$2" load -s bench/paced.lua "$3")"
}
K="Cookie: duta_session=$koor"
B="Authorization: Bearer $koor"
L="Cookie: duta_session=$lead"
read -r h_rps h_p99 h_bad <<<"$(load "$base/healthz")"
read -r c_rps c_p99 c_bad <<<"$(load -H "$K" "$base/")"
read -r ca_rps ca_p99 ca_bad <<<"$(load -H "$B" "$base/api/v1/home")"
read -r a_rps a_p99 a_bad <<<"$(load -H "$K" "$base/briefs/$brief/audience")"
read -r an_rps an_p99 an_bad <<<"$(load -H "$K" "$base/briefs/$brief/audience?state=not_seen")"
read -r aa_rps aa_p99 aa_bad <<<"$(load -H "$B" "$base/api/v1/briefs/$brief/audience?limit=50")"
read -r l_rps l_p99 l_bad <<<"$(load -H "$L" "$base/")"
read -r cp_target cp_rps cp_p99 cp_bad <<<"$(paced "$c_rps" "$K" "$base/")"
read -r ap_target ap_rps ap_p99 ap_bad <<<"$(paced "$a_rps" "$K" "$base/briefs/$brief/audience")"
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true; sampler=
peak=$(sort -n "$work/rss" | tail -1)
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=

echo "the coordinator's day at scale: $kind, $AMBASSADORS ambassadors, brief $brief of $week with $audience, $(nproc) cores, $CONNECTIONS connections, ${DURATION}s per route, $BIN"
echo "  CSV of the audience: $csv_rows rows in ${csv_ms} ms"
printf '  %-46s %10s req/s  p99 %-9s non-2xx %s\n' /healthz "$h_rps" "$h_p99" "$h_bad"
printf '  %-46s %10s req/s  p99 %-9s non-2xx %s\n' "/ (coordinator's home)" "$c_rps" "$c_p99" "$c_bad"
printf '  %-46s %10s req/s  p99 %-9s non-2xx %s\n' "GET /api/v1/home, coordinator" "$ca_rps" "$ca_p99" "$ca_bad"
printf '  %-46s %10s req/s  p99 %-9s non-2xx %s\n' "/briefs/<id>/audience" "$a_rps" "$a_p99" "$a_bad"
printf '  %-46s %10s req/s  p99 %-9s non-2xx %s\n' "/briefs/<id>/audience?state=not_seen" "$an_rps" "$an_p99" "$an_bad"
printf '  %-46s %10s req/s  p99 %-9s non-2xx %s\n' "API audience, first 50" "$aa_rps" "$aa_p99" "$aa_bad"
printf '  %-46s %10s req/s  p99 %-9s non-2xx %s\n' "/ (leadership's home)" "$l_rps" "$l_p99" "$l_bad"
printf '  %-46s %10s req/s  p99 %-9s non-2xx %s\n' "/ (coordinator) at 70 % ($cp_target/s)" "$cp_rps" "$cp_p99" "$cp_bad"
printf '  %-46s %10s req/s  p99 %-9s non-2xx %s\n' "audience page at 70 % ($ap_target/s)" "$ap_rps" "$ap_p99" "$ap_bad"
awk -v a="$c_rps" -v b="$h_rps" 'BEGIN { printf "  home page = %.4f x /healthz; ", a / b }'
awk -v a="$a_rps" -v b="$h_rps" 'BEGIN { printf "audience page = %.4f x /healthz; ", a / b }'
awk -v a="$l_rps" -v b="$h_rps" 'BEGIN { printf "leadership home = %.4f x /healthz (same run)\n", a / b }'
echo "  largest RSS under load: $(( ${peak:-0} / 1024 )) MiB"
