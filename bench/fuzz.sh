#!/usr/bin/env bash
# Issue 19: the parsers under libFuzzer. Runs each cargo fuzz target (fuzz/fuzz_targets)
# for FUZZ_SECONDS (default 600) on the committed corpus (fuzz/corpus/<target>, grown and
# then minimised by the run) plus the hand-written seeds (fuzz/seeds/<target>), and prints
# one line per target: executions, coverage (edges, features), corpus size, crashes.
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`).
# A crash stops nothing: its input is kept in fuzz/artifacts/<target>/ and the script
# exits non-zero at the end; turn it into a unit test beside the parser.
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${FUZZ_SECONDS:-600}"
TARGETS="${FUZZ_TARGETS:-nip handle post_url template iso_week roster image_header jwt}"
command -v cargo-fuzz >/dev/null || { echo "fuzz: cargo-fuzz is missing (cargo install cargo-fuzz --locked)" >&2; exit 1; }
rustup run nightly rustc --version >/dev/null 2>&1 || { echo "fuzz: the nightly toolchain is missing" >&2; exit 1; }
logs="fuzz/target/logs"
mkdir -p "$logs"
max_len() { case "$1" in image_header) echo 65536 ;; roster) echo 16384 ;; *) echo 4096 ;; esac; }

cargo +nightly fuzz build >/dev/null || exit 1
failed=0
printf '| target | seconds | executions | execs/s | edges (cov) | features (ft) | corpus after cmin | peak RSS | crashes |\n|---|---|---|---|---|---|---|---|---|\n'
for t in $TARGETS; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  before=$(ls "fuzz/artifacts/$t" | wc -l)
  cargo +nightly fuzz run "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$SECONDS_EACH" -max_len="$(max_len "$t")" -timeout=20 \
    -print_final_stats=1 >"$logs/$t.log" 2>&1
  code=$?
  after=$(ls "fuzz/artifacts/$t" | wc -l)
  crashes=$(( after - before ))
  if [ "$code" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes="exit $code"; fi
  [ "$crashes" != 0 ] && failed=1
  cargo +nightly fuzz cmin "$t" "fuzz/corpus/$t" >"$logs/$t.cmin.log" 2>&1
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$logs/$t.log" | tail -1)
  rss=$(awk '/stat::peak_rss_mb/ {print $2}' "$logs/$t.log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$logs/$t.log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus=$(ls "fuzz/corpus/$t" | wc -l)
  printf '| %s | %s | %s | %s | %s | %s | %s | %s MB | %s |\n' "$t" "$SECONDS_EACH" "${execs:-?}" \
    "$(( ${execs:-0} / SECONDS_EACH ))" "${cov:-?}" "${ft:-?}" "$corpus" "${rss:-?}" "$crashes"
done
exit "$failed"
