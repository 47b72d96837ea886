#!/usr/bin/env bash
# Issue 19: 200 SIGKILLs of the release binary during mixed writes (bench/kill.py says
# what is written and checked), on SQLite, then on PostgreSQL when it answers.
# ROUNDS=200 by default; DUTA_BIN picks the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${DUTA_BIN:-target/release/duta}"
ROUNDS="${ROUNDS:-200}"
[ -x "$BIN" ] || { echo "kill: $BIN is missing (cargo build --release)" >&2; exit 1; }
echo "== SQLite"
DUTA_DATABASE_URL= python3 bench/kill.py "$BIN" "$ROUNDS"
PG="${DUTA_KILL_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}"
if psql "$PG" -Atc 'select 1' >/dev/null 2>&1; then
  echo "== PostgreSQL"
  DUTA_DATABASE_URL="$PG" python3 bench/kill.py "$BIN" "$ROUNDS"
else
  echo "PostgreSQL does not answer at $PG: skipped" >&2
fi
