#!/usr/bin/env bash
# Fails when the hub's gas differs from the committed named snapshots in snapshots/Hub.json.
# forge 1.7 reports "Snapshots differ from previous run" in check mode but still exits 0, so the
# output is checked here. To accept a gas change: `forge test --match-contract HubGasTest` (rewrites
# snapshots/Hub.json), then commit the file.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
forge test --match-contract HubGasTest --gas-snapshot-check=true 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
if ! grep -q "Suite result: ok" "$log"; then
  echo "gas-check: HubGasTest did not run or failed" >&2
  exit 1
fi
if grep -q "Snapshots differ" "$log"; then
  echo "gas-check: gas differs from snapshots/Hub.json (rerun 'forge test --match-contract HubGasTest' and commit if intended)" >&2
  exit 1
fi
exit "$rc"
