#!/usr/bin/env bash
# The time of a full erasure of one person on the bench data set (`duta seed --bench`,
# 100,000 ambassadors and 52 weeks): a release build serves it, and five ambassadors
# each erase themselves with `POST /api/v1/me/erasure`. The baseline, in the same run, is
# five others withdrawing (`POST /api/v1/me/withdrawal`): the same password check and one
# write, so the ratio is what erasure costs beyond a password-confirmed change.
# The live system writes an audit row for every coordinator's verification; the seed does
# not, so before the first run this adds one per verified submission (about 6.4 million),
# for the erasure to find the person's rows in a log of a realistic size.
# Each run uses ten ambassadors from the end of the set (amb99999 downwards, skipping
# those already erased or withdrawn), so the other benches hardly notice.
#   DUTA_DATABASE_URL  default sqlite in BENCH_DATA (target/bench-data); or postgres://…
#   DUTA_BIN (target/release/duta)  PEOPLE (5)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${DUTA_BIN:-target/release/duta}"
PEOPLE="${PEOPLE:-5}"
DATA="${BENCH_DATA:-target/bench-data}"
[ -x "$BIN" ] || { echo "bench: $BIN not found; run cargo build --release" >&2; exit 1; }
export DUTA_DATA_DIR="$DATA"
export DUTA_DATABASE_URL="${DUTA_DATABASE_URL:-sqlite://$PWD/$DATA/bench-100000-52.db}"
port=$(( 20000 + RANDOM % 20000 ))
base="http://127.0.0.1:$port"
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
export DUTA_LOG=warn DUTA_JOBS='{enabled=false}' DUTA_PORT=$port
"$BIN" migrate >/dev/null
fill="INSERT INTO audit_log (at, actor_id, action, target_type, target_id, institution_id, detail, client_ip) \
  SELECT s.created_at, a.institution_id, 'submission.verified', 'submission', s.id, a.institution_id, '{}', '10.1.2.3' \
  FROM submissions s JOIN ambassadors a ON a.id = s.ambassador_id WHERE s.status = 'verified'"
case "$DUTA_DATABASE_URL" in
  sqlite:*)
    file="${DUTA_DATABASE_URL#sqlite://}"; file="${file%%\?*}"
    sql() { sqlite3 "$file" "$1"; } ;;
  *) sql() { psql -qtA "$DUTA_DATABASE_URL" -c "$1"; } ;;
esac
if [ "$(sql 'SELECT COUNT(*) FROM audit_log')" -lt 1000000 ]; then
  t0=$(date +%s); sql "$fill" >/dev/null; echo "audit log filled in $(( $(date +%s) - t0 )) s"
fi
audit_rows=$(sql 'SELECT COUNT(*) FROM audit_log')
"$BIN" serve >/dev/null 2>&1 &
pid=$!
for _ in $(seq 600); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
password=$(grep -o 'BENCH_PASSWORD: &str = "[^"]*"' src/seed/bench.rs | cut -d'"' -f2)

tokens=()
n=99999
while [ "${#tokens[@]}" -lt $(( 2 * PEOPLE )) ] && [ "$n" -gt 99000 ]; do
  t=$(curl -fs -H 'Content-Type: application/json' \
      -d "{\"email\":\"amb$n@bench.duta.id\",\"password\":\"$password\"}" \
      "$base/api/v1/auth/login" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p' || true)
  if [ -n "$t" ]; then
    status=$(curl -fs -H "Authorization: Bearer $t" "$base/api/v1/me/export" | grep -o '"status":"[a-z]*"' | head -1 || true)
    [ "$status" = '"status":"approved"' ] && tokens+=("$t")
  fi
  n=$(( n - 1 ))
done
[ "${#tokens[@]}" -ge $(( 2 * PEOPLE )) ] || { echo "bench: not enough approved ambassadors left" >&2; exit 1; }

# Milliseconds of one POST, and its body.
timed() {
  local t0 body
  t0=$(date +%s%N)
  body=$(curl -fs -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $2" \
    -d "{\"password\":\"$password\"}" "$base/api/v1/me/$1")
  echo "$(( ($(date +%s%N) - t0) / 1000000 )) $body"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
withdraw_ms=(); erase_ms=(); anonymised=()
for i in $(seq 0 $(( PEOPLE - 1 ))); do
  out=$(timed withdrawal "${tokens[$i]}"); withdraw_ms+=("${out%% *}")
  out=$(timed erasure "${tokens[$(( PEOPLE + i ))]}"); erase_ms+=("${out%% *}")
  anonymised+=("$(echo "$out" | grep -o '"submissions_anonymised":[0-9]*' | cut -d: -f2)")
done
w=$(printf '%s\n' "${withdraw_ms[@]}" | median)
e=$(printf '%s\n' "${erase_ms[@]}" | median)
echo "database: ${DUTA_DATABASE_URL%%:*}; audit log: $audit_rows rows"
echo "withdrawal (baseline), ms: ${withdraw_ms[*]}  median $w"
echo "erasure, ms:               ${erase_ms[*]}  median $e"
echo "submissions anonymised per erasure: ${anonymised[*]}"
awk -v e="$e" -v w="$w" 'BEGIN { printf "erasure / withdrawal: %.2f\n", e / w }'
