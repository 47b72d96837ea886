#!/usr/bin/env bash
# Participation statistics at scale: a release build on the bench data set (`duta seed
# --bench`, 100,000 approved ambassadors and 52 weeks by default; built on first use and
# reused), measured in one run with wrk:
#   /healthz (the baseline), then the statistics API and the dashboard page for one
#   institution (its leadership) and for the national scope (a national user), each at
#   full load and then paced at 70 % of its own maximum (p99 there); the national XLSX
#   download (time of a first, uncached one and of a cached one); the largest RSS.
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

t0=$(date +%s%N)
"$BIN" migrate >"$work/migrate.log" 2>&1
migrate_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
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
for body in '{"email":"national@bench.duta.id","name":"Bakohumas Bench","role":"national","password":"duta-bench-2026"}' \
  '{"email":"leadership1@bench.duta.id","name":"Pimpinan Bench","role":"leadership","institution_id":1,"password":"duta-bench-2026"}'; do
  curl -s -o /dev/null -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' -d "$body" "$base/api/v1/users"
done
leader=$(login leadership1@bench.duta.id)
national=$(login national@bench.duta.id)
first() {
  local t0
  t0=$(date +%s%N)
  curl -fs -o "$work/out" "$@"
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
# The first requests after start load the board and compute the figures once.
inst_first_ms=$(first -H "Authorization: Bearer $leader" "$base/api/v1/stats/participation?weeks=12")
national_first_ms=$(first -H "Authorization: Bearer $national" "$base/api/v1/stats/participation?weeks=12")
xlsx_first_ms=$(first -H "Cookie: duta_session=$national" "$base/stats/export/participation.xlsx?weeks=52")
xlsx_bytes=$(stat -c %s "$work/out")
xlsx_again_ms=$(first -H "Cookie: duta_session=$national" "$base/stats/export/participation.xlsx?weeks=52")
python3 - "$work/out" <<'EOF' || { echo "bench: the national XLSX does not open" >&2; exit 1; }
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert "xl/worksheets/sheet1.xml" in z.namelist()
EOF
code=$(curl -s -o "$work/page" -w '%{http_code}' -H "Cookie: duta_session=$leader" "$base/stats?weeks=12")
rows=$(grep -c '<tr><th scope="row">[0-9]*-W[0-9]*</th>' "$work/page" || true)
[ "$rows" -ge 24 ] || { echo "bench: the dashboard answered $code with $rows week rows" >&2; head -c 600 "$work/page" >&2; tail -5 "$work/serve.log" >&2; exit 1; }

peak=0
( while sleep 0.5; do awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null; done ) >"$work/rss" &
sampler=$!
load() {
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@")
  local rps p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "$rps ${p99:-?} ${non2xx:-0}"
}
paced() {
  # $1 = max req/s, $2 = header, $3 = url: 70 % of the maximum, each connection waiting.
  local target delay
  target=$(awk -v r="$1" 'BEGIN { printf "%d", r * 0.7 }')
  delay=$(awk -v r="$target" -v c="$CONNECTIONS" 'BEGIN { printf "%d", c * 1000 / r }')
  echo "$target $(DELAY_MS=$delay HEADER="$2" load -s bench/paced.lua "$3")"
}
read -r h_rps h_p99 h_bad <<<"$(load "$base/healthz")"
read -r ia_rps ia_p99 ia_bad <<<"$(load -H "Authorization: Bearer $leader" "$base/api/v1/stats/participation?weeks=12")"
read -r ip_rps ip_p99 ip_bad <<<"$(load -H "Cookie: duta_session=$leader" "$base/stats?weeks=12")"
read -r na_rps na_p99 na_bad <<<"$(load -H "Authorization: Bearer $national" "$base/api/v1/stats/participation?weeks=12")"
read -r np_rps np_p99 np_bad <<<"$(load -H "Cookie: duta_session=$national" "$base/stats?weeks=12")"
read -r ir_target ir_rps ir_p99 ir_bad <<<"$(paced "$ip_rps" "Cookie: duta_session=$leader" "$base/stats?weeks=12")"
read -r nr_target nr_rps nr_p99 nr_bad <<<"$(paced "$np_rps" "Cookie: duta_session=$national" "$base/stats?weeks=12")"
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true; sampler=
peak=$(sort -n "$work/rss" | tail -1)
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=

echo "participation statistics at scale: $kind, $AMBASSADORS ambassadors, $WEEKS weeks ($(nproc) cores, $CONNECTIONS connections, ${DURATION}s per route, $BIN)"
echo "  migrate: ${migrate_ms} ms; first institution figures after start: ${inst_first_ms} ms; first national: ${national_first_ms} ms"
echo "  national XLSX (52 weeks): ${xlsx_first_ms} ms first, ${xlsx_again_ms} ms again, ${xlsx_bytes} bytes"
printf '  %-40s %10s req/s  p99 %-9s non-2xx %s\n' /healthz "$h_rps" "$h_p99" "$h_bad"
printf '  %-40s %10s req/s  p99 %-9s non-2xx %s\n' "API, one institution" "$ia_rps" "$ia_p99" "$ia_bad"
printf '  %-40s %10s req/s  p99 %-9s non-2xx %s\n' "/stats page, one institution" "$ip_rps" "$ip_p99" "$ip_bad"
printf '  %-40s %10s req/s  p99 %-9s non-2xx %s\n' "API, national" "$na_rps" "$na_p99" "$na_bad"
printf '  %-40s %10s req/s  p99 %-9s non-2xx %s\n' "/stats page, national" "$np_rps" "$np_p99" "$np_bad"
printf '  %-40s %10s req/s  p99 %-9s non-2xx %s\n' "/stats institution at 70 % ($ir_target/s)" "$ir_rps" "$ir_p99" "$ir_bad"
printf '  %-40s %10s req/s  p99 %-9s non-2xx %s\n' "/stats national at 70 % ($nr_target/s)" "$nr_rps" "$nr_p99" "$nr_bad"
awk -v a="$ip_rps" -v b="$h_rps" 'BEGIN { printf "  institution page = %.3f x /healthz (same run)\n", a / b }'
awk -v a="$np_rps" -v b="$h_rps" 'BEGIN { printf "  national page    = %.3f x /healthz (same run)\n", a / b }'
echo "  largest RSS under load: $(( ${peak:-0} / 1024 )) MiB"
