#!/usr/bin/env bash
# The project's one test command (`npm test`): forge tests, then mocha tests, then one closing
# line `N passed, N failed` with the totals of both. Fails if either suite fails.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

echo "== typecheck (tsc)"
tsc -p tsconfig.json --noEmit
tsc_rc=$?

echo "== forge test (gas snapshots checked against snapshots/*.json)"
forge test --gas-snapshot-check=true "$@" 2>&1 | tee "$logs/forge.txt"
forge_rc=${PIPESTATUS[0]}
# forge 1.7 reports a changed named gas snapshot but still exits 0: fail here instead.
if grep -q "Snapshots differ" "$logs/forge.txt"; then
  echo "gas changed: rerun 'forge test' to rewrite snapshots/*.json and commit them if the change is intended" >&2
  forge_rc=1
fi

echo "== mocha"
mocha 2>&1 | tee "$logs/mocha.txt"
mocha_rc=${PIPESTATUS[0]}

# forge: "... N tests passed, M failed, K skipped (T total tests)"
forge_line=$(grep -E '[0-9]+ tests passed, [0-9]+ failed' "$logs/forge.txt" | tail -1)
fp=$(sed -E 's/.* ([0-9]+) tests passed, ([0-9]+) failed.*/\1/' <<<"$forge_line")
ff=$(sed -E 's/.* ([0-9]+) tests passed, ([0-9]+) failed.*/\2/' <<<"$forge_line")
# mocha (spec reporter): "  N passing", "  M failing"
mp=$(grep -Eo '^ *[0-9]+ passing' "$logs/mocha.txt" | grep -Eo '[0-9]+' | tail -1)
mf=$(grep -Eo '^ *[0-9]+ failing' "$logs/mocha.txt" | grep -Eo '[0-9]+' | tail -1)
# skipped tests (e.g. the browser test without Chromium) say why in the mocha output
ms=$(grep -Eo '^ *[0-9]+ pending' "$logs/mocha.txt" | grep -Eo '[0-9]+' | tail -1)
fp=${fp:-0}; ff=${ff:-0}; mp=${mp:-0}; mf=${mf:-0}; ms=${ms:-0}
# A suite that crashed before reporting counts as one failure.
[ "$forge_rc" -ne 0 ] && [ "$ff" -eq 0 ] && ff=1
[ "$mocha_rc" -ne 0 ] && [ "$mf" -eq 0 ] && mf=1

tf=0
[ "$tsc_rc" -ne 0 ] && tf=1

echo
echo "typecheck: $([ "$tf" -eq 0 ] && echo ok || echo FAILED); forge: $fp passed, $ff failed; mocha: $mp passed, $mf failed$([ "$ms" -gt 0 ] && echo ", $ms skipped (see SKIPPED above)")"
echo "$((fp + mp)) passed, $((ff + mf + tf)) failed$([ "$ms" -gt 0 ] && echo ", $ms skipped")"
[ "$tsc_rc" -eq 0 ] && [ "$forge_rc" -eq 0 ] && [ "$mocha_rc" -eq 0 ]
