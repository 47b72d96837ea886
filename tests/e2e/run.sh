#!/usr/bin/env bash
# Runs Duta's browser end-to-end journeys (journey.test.mjs: admin and coordinator;
# candidate.test.mjs: a candidate signs up on a phone and is approved; briefs, leaderboard
# and stats: a brief, a post and the board, and leadership reading participation; privacy;
# password: a forgotten password and the coordinator's reset link; home: the coordinator's
# day and a brief's audience on a 360 px phone; hoax: a hoax reported, clarified, pushed
# to the phone's service worker, read offline and amplified; national: a national brief
# written, adopted on a phone with a local fact, declined with a reason, its uptake;
# recruitment: a programme page written, a referral link's QR code read on a phone, a
# colleague signing up through it and the referrer seen at vetting; mentoring: a draft
# reviewed on a passage, revised, accepted and posted; training: a lesson answered
# wrong, explained, then completed on a phone; recognition: certificates issued on the desk,
# a PDF rendered with pdftoppm, its code checked on a phone, badges), each against its own
# `duta serve`, with Debian's Chromium driven by playwright-core and axe-core on every page.
# Needs the binary built (cargo build) first.
#   DUTA_BIN=...          the duta binary (default ../../target/debug/duta)
#   DUTA_SCREENSHOTS=...  where screenshots go (default ./screenshots)
set -euo pipefail
cd "$(dirname "$0")"

export DUTA_BIN="${DUTA_BIN:-$(cd ../.. && pwd)/target/debug/duta}"
export DUTA_SCREENSHOTS="${DUTA_SCREENSHOTS:-$(pwd)/screenshots}"

if [ ! -x "$DUTA_BIN" ]; then
  echo "run.sh: duta binary not found at $DUTA_BIN — build it first (cargo build) or set DUTA_BIN" >&2
  exit 1
fi

if [ ! -d node_modules/playwright-core ] || [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f node_modules/jsqr/dist/jsQR.js ]; then
  npm ci --no-audit --no-fund --prefer-offline
fi

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    echo "run.sh: /usr/bin/chromium is missing; install it with: sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi

status=0
node --test --test-concurrency=1 journey.test.mjs candidate.test.mjs briefs.test.mjs leaderboard.test.mjs stats.test.mjs privacy.test.mjs password.test.mjs membership.test.mjs invite.test.mjs home.test.mjs hoax.test.mjs national.test.mjs recruitment.test.mjs mentoring.test.mjs training.test.mjs recognition.test.mjs || status=$?

echo
echo "Screenshots in $DUTA_SCREENSHOTS:"
ls -1 "$DUTA_SCREENSHOTS"/*.png 2>/dev/null || echo "  (none)"
exit "$status"
