#!/usr/bin/env bash
# The roster at scale: a release build on the bench data set (`duta seed --bench`, 100,000
# approved ambassadors by default; built on first use and reused), measured in one run
# with wrk: /healthz (the baseline), then for a coordinator of one institution (about a
# tenth of everyone) the roster page, a name search, a handle search and a search by a
# NIP's last four digits, and for an admin (everyone) the roster page and a name search;
# each at full load, then the page and the name search paced at 70 % of their maximum
# (p99 there); the largest RSS; and the time of one CSV download of the institution.
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
curl -s -o /dev/null -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"email":"roster@bench.duta.id","name":"Koordinator Roster","role":"coordinator","institution_id":1,"password":"duta-bench-2026"}' \
  "$base/api/v1/users"
koor=$(login roster@bench.duta.id)
# What the searches look for: a name, a handle, a NIP's last four digits of someone in
# institution 1, read from its roster.
read -r name handle tail total <<<"$(curl -fs -H "Authorization: Bearer $koor" "$base/api/v1/roster?limit=1&offset=500" \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); p=d["people"][0]; print(p["display_name"].replace(" ", "%20"), p["platforms"][0]["handle"] if p["platforms"] and "handle" in p["platforms"][0] else "amb", (p["nip"] or "0000")[-4:], d["total"])')"
first() {
  local t0
  t0=$(date +%s%N)
  curl -fs -o "$work/out" "$@"
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
csv_ms=$(first -H "Cookie: duta_session=$koor" "$base/roster/export/roster.csv")
csv_rows=$(( $(wc -l <"$work/out") - 1 ))
code=$(curl -s -o "$work/page" -w '%{http_code}' -H "Cookie: duta_session=$koor" "$base/roster")
grep -q "Menampilkan 1–50 dari $total orang" "$work/page" \
  || { echo "bench: the roster page answered $code without its 50 of $total" >&2; head -c 600 "$work/page" >&2; exit 1; }

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
  local target delay
  target=$(awk -v r="$1" 'BEGIN { printf "%d", r * 0.7 }')
  [ "$target" -ge 1 ] || target=1
  delay=$(awk -v r="$target" -v c="$CONNECTIONS" 'BEGIN { printf "%d", c * 1000 / r }')
  echo "$target $(DELAY_MS=$delay HEADER="$2" load -s bench/paced.lua "$3")"
}
K="Cookie: duta_session=$koor"
A="Cookie: duta_session=$admin"
read -r h_rps h_p99 h_bad <<<"$(load "$base/healthz")"
read -r p_rps p_p99 p_bad <<<"$(load -H "$K" "$base/roster")"
read -r n_rps n_p99 n_bad <<<"$(load -H "$K" "$base/roster?q=$name")"
read -r hd_rps hd_p99 hd_bad <<<"$(load -H "Authorization: Bearer $koor" "$base/api/v1/roster?q=$handle")"
read -r t_rps t_p99 t_bad <<<"$(load -H "Authorization: Bearer $koor" "$base/api/v1/roster?q=$tail")"
read -r ap_rps ap_p99 ap_bad <<<"$(load -H "$A" "$base/roster")"
read -r an_rps an_p99 an_bad <<<"$(load -H "$A" "$base/roster?q=$name")"
read -r pp_target pp_rps pp_p99 pp_bad <<<"$(paced "$p_rps" "$K" "$base/roster")"
read -r np_target np_rps np_p99 np_bad <<<"$(paced "$n_rps" "$K" "$base/roster?q=$name")"
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true; sampler=
peak=$(sort -n "$work/rss" | tail -1)
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=

echo "the roster at scale: $kind, $AMBASSADORS ambassadors ($total in the coordinator's institution), $(nproc) cores, $CONNECTIONS connections, ${DURATION}s per route, $BIN"
echo "  CSV of the institution: $csv_rows rows in ${csv_ms} ms"
printf '  %-44s %10s req/s  p99 %-9s non-2xx %s\n' /healthz "$h_rps" "$h_p99" "$h_bad"
printf '  %-44s %10s req/s  p99 %-9s non-2xx %s\n' "/roster, coordinator" "$p_rps" "$p_p99" "$p_bad"
printf '  %-44s %10s req/s  p99 %-9s non-2xx %s\n' "/roster?q=<name>, coordinator" "$n_rps" "$n_p99" "$n_bad"
printf '  %-44s %10s req/s  p99 %-9s non-2xx %s\n' "API ?q=<handle>, coordinator" "$hd_rps" "$hd_p99" "$hd_bad"
printf '  %-44s %10s req/s  p99 %-9s non-2xx %s\n' "API ?q=<NIP last 4>, coordinator" "$t_rps" "$t_p99" "$t_bad"
printf '  %-44s %10s req/s  p99 %-9s non-2xx %s\n' "/roster, admin (everyone)" "$ap_rps" "$ap_p99" "$ap_bad"
printf '  %-44s %10s req/s  p99 %-9s non-2xx %s\n' "/roster?q=<name>, admin" "$an_rps" "$an_p99" "$an_bad"
printf '  %-44s %10s req/s  p99 %-9s non-2xx %s\n' "/roster at 70 % ($pp_target/s)" "$pp_rps" "$pp_p99" "$pp_bad"
printf '  %-44s %10s req/s  p99 %-9s non-2xx %s\n' "/roster?q=<name> at 70 % ($np_target/s)" "$np_rps" "$np_p99" "$np_bad"
awk -v a="$p_rps" -v b="$h_rps" 'BEGIN { printf "  roster page = %.4f x /healthz; name search = ", a / b }'
awk -v a="$n_rps" -v b="$h_rps" 'BEGIN { printf "%.4f x /healthz (same run)\n", a / b }'
echo "  largest RSS under load: $(( ${peak:-0} / 1024 )) MiB"
