#!/usr/bin/env bash
# The national bench (issue 22): the bench data set on a PostgreSQL primary made by
# deploy/cluster.sh (DUTA_CLUSTER_SEED=bench, tuned for a large data set, no replica, no
# object store), measured through HAProxy with wrk, once per node count in BENCH_NODES
# ("1 3": one node, then three), every figure next to /healthz through the same HAProxy in
# the same run:
#   /healthz (the baseline); the leaderboard page (a coordinator, top 50 of their
#   institution); "my rank" (/api/v1/leaderboard/me, an ambassador) at full load and paced
#   at 70 % of its maximum (p99 there); the national statistics page (/stats?weeks=12 as a
#   national user) at full load and at 70 % (p99 there); POST /api/v1/submissions from 200
#   ambassadors (rate and every status answered); the largest RSS of any node; and a node
#   started again on the full data set: milliseconds until it answers /healthz and until its
#   first correct "my rank" (the same answer as before the restart, sign-in included).
# Needs root (pg_createcluster), wrk, haproxy, a release build. The data set is seeded once
# per state folder and kept (BENCH_DROP=1 drops it at the end with deploy/cluster.sh stop).
#   DUTA_BIN [target/release/duta]  AMBASSADORS [1000000]  WEEKS [26]  BENCH_NODES ["1 3"]
#   DURATION [15] seconds per route   CONNECTIONS [32]   DUTA_CLUSTER_DIR [/tmp/duta-bench]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${DUTA_BIN:-target/release/duta}"
AMBASSADORS="${AMBASSADORS:-1000000}"
WEEKS="${WEEKS:-26}"
BENCH_NODES="${BENCH_NODES:-1 3}"
DURATION="${DURATION:-15}"
CONNECTIONS="${CONNECTIONS:-32}"
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install -y wrk)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "bench: $BIN not found; run cargo build --release" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: needs root (deploy/cluster.sh)" >&2; exit 1; }

# Its own cluster, beside (not instead of) the drill cluster's default ports.
export DUTA_BIN="$BIN"
export DUTA_CLUSTER_DIR="${DUTA_CLUSTER_DIR:-/tmp/duta-bench}"
export DUTA_CLUSTER_PG_PRIMARY="${DUTA_CLUSTER_PG_PRIMARY:-duta_bp}"
export DUTA_CLUSTER_PG_PRIMARY_PORT="${DUTA_CLUSTER_PG_PRIMARY_PORT:-5435}"
export DUTA_CLUSTER_PG_REPLICA="${DUTA_CLUSTER_PG_REPLICA:-duta_br}"
export DUTA_CLUSTER_PG_REPLICA_PORT="${DUTA_CLUSTER_PG_REPLICA_PORT:-5436}"
export DUTA_CLUSTER_NODE_PORT="${DUTA_CLUSTER_NODE_PORT:-8101}"
export DUTA_CLUSTER_LB_PORT="${DUTA_CLUSTER_LB_PORT:-8100}"
export DUTA_CLUSTER_STATS_PORT="${DUTA_CLUSTER_STATS_PORT:-8405}"
export DUTA_CLUSTER_SEED=bench DUTA_CLUSTER_REPLICA=0 DUTA_CLUSTER_S3=0 DUTA_CLUSTER_PG_TUNE=bench
export DUTA_CLUSTER_BENCH_AMBASSADORS="$AMBASSADORS" DUTA_CLUSTER_BENCH_WEEKS="$WEEKS"
export DUTA_CLUSTER_LOG=warn
DIR="$DUTA_CLUSTER_DIR"
LB="http://127.0.0.1:$DUTA_CLUSTER_LB_PORT"
work=$(mktemp -d)
cleanup() {
  [ -n "${sampler:-}" ] && kill "$sampler" 2>/dev/null
  bash deploy/cluster.sh stop-nodes >/dev/null 2>&1 || true
  if [ "${BENCH_DROP:-0}" = 1 ]; then bash deploy/cluster.sh stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# CPU time (user + system, clock ticks) of every process by command name: "name ticks".
cpu_ticks() {
  local f
  for f in /proc/[0-9]*/stat; do cat "$f" 2>/dev/null; echo; done \
    | awk '/\)/ { name = $0; sub(/^[0-9]+ \(/, "", name); sub(/\) .*/, "", name)
                  rest = $0; sub(/^.*\) /, "", rest); split(rest, v, " ")
                  t[name] += v[12] + v[13] }
           END { for (k in t) print k, t[k] }'
}
login() {
  curl -fs -H 'Content-Type: application/json' -d "{\"email\":\"$1\",\"password\":\"duta-bench-2026\"}" "$LB/api/v1/auth/login" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
load() { # wrk arguments: "req/s p99 non-2xx"
  local out rps p99 non2xx
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@")
  grep '^statuses' <<<"$out" >"$work/statuses" || true
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "$rps ${p99:-?} ${non2xx:-0}"
}
paced() { # max-rate header url: "target req/s p99 non-2xx" at 70 % of max-rate
  local target delay
  target=$(awk -v r="$1" 'BEGIN { printf "%d", r * 0.7 }')
  delay=$(awk -v r="$target" -v c="$CONNECTIONS" 'BEGIN { printf "%d", (r > 0) ? c * 1000 / r : 1000 }')
  echo "$target $(DELAY_MS=$delay HEADER="$2" load -s bench/paced.lua "$3")"
}

first_nodes=${BENCH_NODES%% *}
t0=$(date +%s%N)
DUTA_CLUSTER_NODES="$first_nodes" bash deploy/cluster.sh start >"$work/start.log" 2>&1 \
  || { tail -20 "$work/start.log" >&2; exit 1; }
seed="reused"
if grep -q 'seeding the bench data set' "$work/start.log"; then
  seed="$(grep -o 'written in [0-9.]* s' "$DIR/seed.log" | tail -1), wall $(( $(ms_since "$t0") / 1000 )) s, peak RSS $(awk '/Maximum resident/ {printf "%d MiB", $6/1024}' "$DIR/seed.log")"
fi
PSQL="postgres://duta:$(grep DB_PASSWORD "$DIR/secrets.env" | cut -d= -f2)@127.0.0.1:$DUTA_CLUSTER_PG_PRIMARY_PORT/duta"
PGOPTIONS="-c client_min_messages=error" psql "$PSQL" -qc "VACUUM (ANALYZE)" >/dev/null
size=$(psql "$PSQL" -tAc "SELECT pg_size_pretty(pg_database_size(current_database()))")
rows=$(psql "$PSQL" -tAc "SELECT (SELECT count(*) FROM ambassadors) || ' ambassadors, ' || (SELECT count(*) FROM submissions) || ' submissions'")
# A national user to read the national statistics (made once).
if ! login national@bench.duta.id >/dev/null 2>&1; then
  DUTA_ADMIN_PASSWORD=duta-bench-2026 bash deploy/cluster.sh duta create-admin \
    --email admin@bench.duta.id --name "Admin Bench" >/dev/null 2>&1 || true
  admin=$(login admin@bench.duta.id)
  curl -s -o /dev/null -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d '{"email":"national@bench.duta.id","name":"Bakohumas Bench","role":"national","password":"duta-bench-2026"}' "$LB/api/v1/users"
fi
# The weekly roll-up check and reminder (stored as done by the seed for its own week)
# fall due again in a later week on a reused data set: let them finish before measuring,
# and say how long they took.
t_jobs=$(date +%s%N)
while [ "$(psql "$PSQL" -tAc "SELECT count(*) FROM job_runs WHERE state IN ('due', 'running') AND job IN ('leaderboard.rebuild', 'submissions.reminder')")" != 0 ]; do
  sleep 5
done
jobs_waited=$(( $(ms_since "$t_jobs") / 1000 ))
bash deploy/cluster.sh stop-nodes >/dev/null

echo "national bench: $rows ($WEEKS weeks), database $size; seed: $seed"
echo "  weekly jobs waited for before measuring: ${jobs_waited} s"
echo "  $(nproc) cores; wrk -t2 -c$CONNECTIONS, ${DURATION}s per route, through HAProxy ($LB); $BIN"
for nodes in $BENCH_NODES; do
  DUTA_CLUSTER_NODES="$nodes" bash deploy/cluster.sh start >"$work/start.log" 2>&1 \
    || { tail -20 "$work/start.log" >&2; exit 1; }
  coordinator=$(login coordinator1@bench.duta.id)
  ambassador=$(login amb1@bench.duta.id)
  national=$(login national@bench.duta.id)
  : >"$work/tokens"
  run=$(date +%s)
  first=$(( (run / 60 % (AMBASSADORS / 200)) * 200 + 1 ))
  for a in $(seq "$first" $((first + 199))); do echo "$a $(login "amb$a@bench.duta.id")" >>"$work/tokens"; done
  rank=$(curl -fs -H "Authorization: Bearer $ambassador" "$LB/api/v1/leaderboard/me")
  : >"$work/rss"
  ( while sleep 0.5; do
      for f in "$DIR"/node*.pid; do awk '/VmRSS/ {print $2}' "/proc/$(cat "$f")/status" 2>/dev/null; done
    done ) >"$work/rss" &
  sampler=$!
  read -r h_rps h_p99 h_bad <<<"$(load "$LB/healthz")"
  read -r b_rps b_p99 b_bad <<<"$(load -H "Cookie: duta_session=$coordinator" "$LB/leaderboard")"
  read -r m_rps m_p99 m_bad <<<"$(load -H "Authorization: Bearer $ambassador" "$LB/api/v1/leaderboard/me")"
  read -r mr_target mr_rps mr_p99 mr_bad <<<"$(paced "$m_rps" "Authorization: Bearer $ambassador" "$LB/api/v1/leaderboard/me")"
  # The national figures are computed once per change of the data and then kept: the
  # first request after the start (and after every write) computes them.
  t1=$(date +%s%N)
  n_first=$(curl -s -o /dev/null -m 600 -w '%{http_code}' -H "Cookie: duta_session=$national" "$LB/stats?weeks=12")
  n_first_ms=$(ms_since "$t1")
  read -r n_rps n_p99 n_bad <<<"$(load -H "Cookie: duta_session=$national" "$LB/stats?weeks=12")"
  read -r nr_target nr_rps nr_p99 nr_bad <<<"$(paced "$n_rps" "Cookie: duta_session=$national" "$LB/stats?weeks=12")"
  # Briefs for the run, so that every post has a free (brief, platform) slot: copies of
  # the seed's briefs of the newest week, BRIEFS (80) per institution, written straight
  # into the database (published through the API, each would tell its whole audience:
  # a hundred thousand notifications per brief at this size).
  psql "$PSQL" -qAt >"$work/briefs" <<SQL
CREATE TEMP TABLE run_briefs AS SELECT * FROM briefs
  WHERE week_start = (SELECT MAX(week_start) FROM briefs WHERE week_start <= CURRENT_DATE);
ALTER TABLE run_briefs DROP COLUMN id;
CREATE TEMP TABLE made (id BIGINT, institution_id BIGINT);
WITH copies AS (SELECT generate_series(1, GREATEST(1, ${BRIEFS:-80} / (SELECT COUNT(*) / COUNT(DISTINCT institution_id) FROM run_briefs))) AS n),
ins AS (INSERT INTO briefs SELECT nextval(pg_get_serial_sequence('briefs', 'id')), r.* FROM run_briefs r, copies
        RETURNING id, institution_id)
INSERT INTO made SELECT id, institution_id FROM ins;
SELECT institution_id || ' ' || id FROM made ORDER BY id;
SQL
  posted=$(python3 -c 'import datetime; print((datetime.datetime.now(datetime.timezone.utc)-datetime.timedelta(minutes=10)).isoformat())')
  cpu_ticks >"$work/cpu0"
  read -r s_rps s_p99 s_bad <<<"$(RUN=$run THREADS=2 TOKENS_FILE="$work/tokens" BRIEFS_FILE="$work/briefs" WEEKS="$WEEKS" POSTED_AT="$posted" load -s bench/submit.lua "$LB/api/v1/submissions")"
  statuses=$(cat "$work/statuses")
  cpu_ticks >"$work/cpu1"
  # CPU per stored submission, by program: what 3,000 a second takes in cores.
  created=$(grep -o '201:[0-9]*' "$work/statuses" | cut -d: -f2)
  # The nodes' command name is the binary's file name (at most 15 characters).
  cpu_per=$(awk -v n="${created:-0}" -v hz="$(getconf CLK_TCK)" -v node="$(basename "$BIN" | cut -c1-15)" '
    NR == FNR { before[$1] = $2; next }
    { d[$1] = $2 - before[$1] }
    END { if (n == 0) { print "no submission stored"; exit }
          split("postgres " node " haproxy", names, " ")
          for (i = 1; i <= 3; i++) { k = names[i]; ms = d[k] * 1000 / hz / n
            printf "%s%s %.3f ms (%.2f cores at 3,000/s)", (i > 1 ? ", " : ""), (i == 2 ? "nodes" : k), ms, ms * 3 } }' \
    "$work/cpu0" "$work/cpu1")
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true; sampler=
  peak=$(sort -n "$work/rss" | tail -1)
  # Node 1 started again on the full data set (the others keep serving): until /healthz,
  # and until its first "my rank" equal to the one read before the restart.
  before=$(curl -fs -H "Authorization: Bearer $ambassador" "http://127.0.0.1:$DUTA_CLUSTER_NODE_PORT/api/v1/leaderboard/me")
  kill "$(cat "$DIR/node1.pid")"
  while [ -d "/proc/$(cat "$DIR/node1.pid")" ]; do sleep 0.05; done
  t0=$(date +%s%N)
  bash deploy/cluster.sh start-node 1 >/dev/null 2>&1 &
  until curl -fs -o /dev/null "http://127.0.0.1:$DUTA_CLUSTER_NODE_PORT/healthz"; do sleep 0.01; done
  up_ms=$(ms_since "$t0")
  fresh=$(curl -fs -H 'Content-Type: application/json' -d '{"email":"amb1@bench.duta.id","password":"duta-bench-2026"}' \
    "http://127.0.0.1:$DUTA_CLUSTER_NODE_PORT/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  after=$(curl -fs -H "Authorization: Bearer $fresh" "http://127.0.0.1:$DUTA_CLUSTER_NODE_PORT/api/v1/leaderboard/me")
  answer_ms=$(ms_since "$t0")
  wait
  same=$(python3 -c 'import json,sys; a,b=json.loads(sys.argv[1]),json.loads(sys.argv[2]); print("same answer" if a==b else "DIFFERENT answer")' "$before" "$after")

  echo
  echo "  $nodes node(s):"
  printf '    %-36s %10s req/s  p99 %-9s non-2xx %s\n' /healthz "$h_rps" "$h_p99" "$h_bad"
  printf '    %-36s %10s req/s  p99 %-9s non-2xx %s\n' "/leaderboard (top 50)" "$b_rps" "$b_p99" "$b_bad"
  printf '    %-36s %10s req/s  p99 %-9s non-2xx %s\n' "my rank" "$m_rps" "$m_p99" "$m_bad"
  printf '    %-36s %10s req/s  p99 %-9s non-2xx %s\n' "my rank at 70 % ($mr_target/s)" "$mr_rps" "$mr_p99" "$mr_bad"
  echo "    first national /stats?weeks=12 (computed): $n_first in ${n_first_ms} ms"
  printf '    %-36s %10s req/s  p99 %-9s non-2xx %s\n' "national /stats?weeks=12" "$n_rps" "$n_p99" "$n_bad"
  printf '    %-36s %10s req/s  p99 %-9s non-2xx %s\n' "national /stats at 70 % ($nr_target/s)" "$nr_rps" "$nr_p99" "$nr_bad"
  printf '    %-36s %10s req/s  p99 %-9s non-2xx %s\n' "POST /api/v1/submissions" "$s_rps" "$s_p99" "$s_bad"
  echo "    submission answers by status: ${statuses#statuses }"
  echo "    CPU per stored submission: $cpu_per"
  awk -v a="$b_rps" -v b="$h_rps" 'BEGIN { printf "    leaderboard page = %.3f x /healthz (same run)\n", a / b }'
  awk -v a="$n_rps" -v b="$h_rps" 'BEGIN { printf "    national stats   = %.3f x /healthz (same run)\n", a / b }'
  echo "    largest RSS of a node under load: $(( ${peak:-0} / 1024 )) MiB"
  echo "    node 1 started again on the data set: /healthz at ${up_ms} ms, first 'my rank' (sign-in included) at ${answer_ms} ms, $same"
  echo "    my rank: $rank"
  bash deploy/cluster.sh stop-nodes >/dev/null
done
