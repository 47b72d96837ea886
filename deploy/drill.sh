#!/usr/bin/env bash
# Failure drills against a running deploy/cluster.sh cluster (issue 22): kill -9 of a node,
# PostgreSQL restarting and down, the object store stopping, a lagging replica. What each
# drill does and checks is in deploy/drill.py; each prints PASS, FAIL or SKIP with figures.
#
#   deploy/cluster.sh start && deploy/drill.sh            # every drill
#   deploy/drill.sh kill pg                               # some of them
#
# The same DUTA_BIN and DUTA_CLUSTER_* variables as cluster.sh (the kill drill starts the
# node again with it), and:
#   DRILL_SECONDS      load per drill [60]        DRILL_CONNECTIONS  wrk connections [8]
#   DRILL_DELAY_MS     pause of each wrk connection between requests [40]
#   DRILL_WRITERS      writer threads [4]         DRILL_PG_DOWN      seconds the primary stays down [12]
#   DRILL_READ_PATH    page wrk reads as the coordinator [/leaderboard]
#   DRILL_VICTIM       the node killed [2]; DRILL_KILLS  how many times [3]
#   DRILL_REPLICA_ROUNDS  verifications in the replica drill [10]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "drill: wrk is missing (apt-get install -y wrk)" >&2; exit 1; }
command -v psql >/dev/null || { echo "drill: psql is missing (postgresql-client)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "drill: needs root (pg_ctlcluster, restarting nodes)" >&2; exit 1; }
[ -f "${DUTA_CLUSTER_DIR:-/tmp/duta-cluster}/secrets.env" ] ||
  { echo "drill: no cluster in ${DUTA_CLUSTER_DIR:-/tmp/duta-cluster} (deploy/cluster.sh start)" >&2; exit 1; }
exec python3 deploy/drill.py "$@"
