#!/usr/bin/env bash
# Issue 24: certificates of participation for 1,000 ambassadors — the time to issue them
# (one request) and to download all of them as PDFs in one zip, with the server's peak
# memory, against the roster export (CSV) of the same people in the same run as the
# baseline. A release build on a fresh bench data set of one institution
# (`duta seed --bench --institutions 1`), every ambassador with a history of posts.
#   DUTA_DATABASE_URL  default a SQLite file in a temporary folder; a postgres:// URL (an
#                      empty database) uses that database
#   AMBASSADORS (1000)  WEEKS (26)  ROUNDS (3: each figure is the median)  DUTA_BIN
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${DUTA_BIN:-target/release/duta}"
AMBASSADORS="${AMBASSADORS:-1000}"
WEEKS="${WEEKS:-26}"
ROUNDS="${ROUNDS:-3}"
[ -x "$BIN" ] || { echo "bench: $BIN not found; run cargo build --release" >&2; exit 1; }
work=$(mktemp -d)
export DUTA_DATA_DIR="$work/data"
kind=postgres
if [ -z "${DUTA_DATABASE_URL:-}" ]; then
  export DUTA_DATABASE_URL="sqlite://$work/data/duta.db?mode=rwc"
  kind=sqlite
  mkdir -p "$work/data"
  sql() { sqlite3 -batch "$work/data/duta.db" "$1"; }
else
  sql() { psql "$DUTA_DATABASE_URL" -qtAc "$1"; }
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
"$BIN" migrate >"$work/migrate.log" 2>&1
"$BIN" seed --bench --ambassadors "$AMBASSADORS" --weeks "$WEEKS" --institutions 1 >"$work/seed.log" 2>&1
"$BIN" serve >"$work/serve.log" 2>&1 &
pid=$!
until curl -fs "$base/healthz" >/dev/null; do sleep 0.1; done
token=$(curl -fs -H 'Content-Type: application/json' \
  -d '{"email":"coordinator1@bench.duta.id","password":"duta-bench-2026"}' "$base/api/v1/auth/login" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
today=$(TZ=Asia/Jakarta date +%F)
hwm() { awk '/VmHWM/ {print $2}' "/proc/$pid/status"; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Warm up, then the baseline: the roster of the same people as CSV.
curl -fs -o /dev/null -b "duta_session=$token" "$base/roster/export/roster.csv"
rss_before=$(hwm)
for _ in $(seq "$ROUNDS"); do
  t0=$(date +%s%N)
  curl -fs -o "$work/roster.csv" -b "duta_session=$token" "$base/roster/export/roster.csv"
  ms "$t0" "$(date +%s%N)"
done | median >"$work/roster.ms"
rss_roster=$(hwm)

# Issue for ROUNDS different half-year periods (each issues to everyone who posted in it),
# then the zip of the last one.
: >"$work/issue.ms"
for r in $(seq "$ROUNDS"); do
  from=$(TZ=Asia/Jakarta date -d "$today - $(( 180 + r )) days" +%F)
  t0=$(date +%s%N)
  curl -fs -o "$work/issue.json" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"from\":\"$from\",\"to\":\"$today\"}" "$base/api/v1/certificates"
  ms "$t0" "$(date +%s%N)" >>"$work/issue.ms"
done
issued=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["issued"])' "$work/issue.json")
for _ in $(seq "$ROUNDS"); do
  t0=$(date +%s%N)
  curl -fs -o "$work/all.zip" -b "duta_session=$token" "$base/certificates/zip?from=$from&to=$today"
  ms "$t0" "$(date +%s%N)"
done | median >"$work/zip.ms"
rss_after=$(hwm)
files=$(python3 -c 'import zipfile,sys; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))' "$work/all.zip")
zip_kb=$(( $(stat -c %s "$work/all.zip") / 1024 ))
roster_ms=$(cat "$work/roster.ms"); issue_ms=$(median <"$work/issue.ms"); zip_ms=$(cat "$work/zip.ms")
ratio() { python3 -c "print(f'{$1 / max($2, 1):.2f}')"; }
echo "certificates bench ($kind, $AMBASSADORS ambassadors, $WEEKS weeks, median of $ROUNDS)"
echo "  baseline: roster CSV of the same people      ${roster_ms} ms"
echo "  issue $issued certificates (one request)        ${issue_ms} ms   $(ratio "$issue_ms" "$roster_ms")x the roster"
echo "  zip of $files PDFs (${zip_kb} KiB)               ${zip_ms} ms   $(ratio "$zip_ms" "$roster_ms")x the roster"
echo "  server peak memory: ${rss_before} KiB before, ${rss_roster} KiB after the roster, ${rss_after} KiB after the certificates ($(( (rss_after - rss_roster) / 1024 )) MiB more; $(ratio "$rss_after" "$rss_roster")x)"
