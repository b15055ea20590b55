#!/usr/bin/env bash
# Runs every fuzz target of the parsers of outside input for a bounded time each
# (FUZZTIME, default 10s; ten targets, under two minutes in all). A
# failing input is written under the package's testdata/fuzz/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-10s}"

targets=(
  "./provider FuzzAuthorize"
  "./provider FuzzAuthorizeParameters"
  "./provider FuzzTokenRequest"
  "./provider FuzzClientAssertion"
  "./config FuzzParse"
  "./evidence FuzzParseSignDetails"
  "./themes FuzzRenderSignText"
  "./connectors/sebankid FuzzCollect"
  "./evidence/bankidsig FuzzVerify"
  "./connectors/oidcup FuzzUpstreamAnswers"
)

for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  echo "fuzz: $name in $pkg for $fuzztime"
  # Minimizing a new interesting input may take up to a minute by default, well
  # past a short -fuzztime, and the run then fails with "context deadline
  # exceeded" without any fault; crashers are still minimized, briefly.
  go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" -fuzzminimizetime=2s "$pkg" 2>&1 | grep -v 'WARN request error' || { echo "fuzz: $name failed" >&2; exit 1; }
done
