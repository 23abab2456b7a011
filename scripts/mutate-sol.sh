#!/usr/bin/env bash
# Mutation run over the dispute, verification and codec code: removes one check at a time (a line with
# `revert`, `require(`, or a guard `if (...) return false;` / `return (false, ...)`), runs the forge tests
# that cover that code, and lists the mutants no test kills (survivors). Works on a copy of the tree
# (/tmp/diversity-mutate by default) with its own build cache, so the worktree is never touched.
#
#   bash scripts/mutate-sol.sh            # every target below
#   bash scripts/mutate-sol.sh Hub.sol    # only targets whose path contains "Hub.sol"
#   MUTATE_MATCH='TooManyMeters' bash scripts/mutate-sol.sh Hub.sol   # only checks whose line matches (ERE)
#   MUTATE_TESTS='AttacksTest|HubTest' ...                              # run only these test contracts
#   MUTATE_PATTERN='...' ...   # select the lines to remove by this ERE instead of the check pattern
#                              # (e.g. the accumulator's writes: '(\+=|-=|[^=!<>]=[^=])')
#   MUTATE_PRUNE='contracts/src/Hub.sol contracts/test/Hub.t.sol ...'   # paths removed from the copy
#                              # first, so a library's mutants rebuild the library and its own tests only
#
# Output: one line per mutant (KILLED / SURVIVED / BUILD-FAIL: the mutant does not compile, which
# counts as killed), then the survivors. Cost: a rebuild of the mutated file and its dependents per
# mutant (seconds for a module no test imports, ~40 s for the hub).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${MUTATE_DIR:-/tmp/diversity-mutate}"
filter="${1:-}"
match="${MUTATE_MATCH:-}"
pattern="${MUTATE_PATTERN:-}"
prune="${MUTATE_PRUNE:-}"
tests="${MUTATE_TESTS:-DisputeTest|AttacksTest|HubTest|HubSlashTest|WindowCommitmentTest|ReadingCodecTest|MeterRecordAttacksTest|MeterRegistryVectorsTest|EcdsaSignerSetTest|DataAvailabilityGameTest|GamePublishTest|GameEntriesTest|ReviewEntriesLevelAttacksTest|OmissionGriefTest|AuctionDisputeTest|PackedStateTest|PackedLimitsTest|BadEnergyTest|BadEntryTest|StateEntryTest}"

# file | first line pattern | last line pattern (a region; empty = whole file)
targets=(
  "contracts/src/modules/DisputeVerifier.sol||"
  "contracts/src/libraries/WindowCommitment.sol||"
  "contracts/src/libraries/MerkleTree.sol||"
  "contracts/src/libraries/ReadingCodec.sol||"
  "contracts/src/libraries/MeterRegistry.sol||"
  # The packed transports a BadStep proof (and a claim's final state) carries (s11).
  "contracts/src/libraries/PackedState.sol||"
  "contracts/src/libraries/PackedLimits.sol||"
  "contracts/src/libraries/OpenCodec.sol||"
  "contracts/src/modules/EcdsaSignerSet.sol||"
  "contracts/src/modules/P256Scheme.sol||"
  "contracts/src/modules/DataAvailabilityGame.sol||"
  # `open`, `openTogether` (s21: the consents) and `join`, delegatecalled by the hub.
  "contracts/src/HubSetup.sol||"
  "contracts/src/Hub.sol|function update(|function finalize("
  "contracts/src/Hub.sol|function close(|function claim("
  "contracts/src/Hub.sol|function commitDispute(|------ views"
  "contracts/src/Hub.sol|------ disputes (internals)|------ internals"
  # `open`'s checks (participants, modules, meters, schedule, a partial claim's final state), in the
  # library since s9; then its money moves (to the end of the file).
  "contracts/src/libraries/Settlement.sol|function openLists(|function funds("
  "contracts/src/libraries/Settlement.sol|function funds(|"
  # One participant's step (s17): its guards return a fault, so select them with
  # MUTATE_PATTERN='return \(_fault|return \(false|if \(!sane\)|\+\+s\.(q|money)' MUTATE_TESTS=StepEntriesTest.
  "contracts/src/libraries/StepEntries.sol||"
)

rm -rf "$work/contracts/src" "$work/contracts/test"
mkdir -p "$work"
# The tracked and new (not ignored) files: sources, tests, vectors, foundry.toml, the solc wrapper.
(cd "$root" && git ls-files -z --cached --others --exclude-standard -- contracts foundry.toml scripts package.json |
  xargs -0 tar cf -) | (cd "$work" && tar xf -)
ln -sfn "$root/node_modules" "$work/node_modules"
for p in $prune; do rm -rf "${work:?}/$p"; done
export PATH="$root/node_modules/.bin:$PATH"
cd "$work"

run_tests() {
  forge test --match-contract "$tests" >"$work/last.log" 2>&1
}

echo "baseline: building and running the tests on the unmutated copy..."
if ! run_tests; then
  echo "baseline fails: fix the tests first" >&2
  tail -30 "$work/last.log" >&2
  exit 2
fi

report="$work/mutants.txt"
: >"$report"
for t in "${targets[@]}"; do
  IFS='|' read -r file from to <<<"$t"
  [[ -n "$filter" && "$file" != *"$filter"* ]] && continue
  start=1
  end=$(wc -l <"$file")
  if [[ -n "$from" ]]; then
    start=$(grep -nF -- "$from" "$file" | head -1 | cut -d: -f1)
    [[ -z "$start" ]] && { echo "target $file: no line with '$from'" >&2; exit 2; }
    # An empty last pattern: to the end of the file.
    [[ -n "$to" ]] && end=$(awk -v s="$start" -v p="$to" 'NR > s && index($0, p) { print NR; exit }' "$file")
    [[ -z "$end" ]] && { echo "target $file: no line with '$to' after line $start" >&2; exit 2; }
  fi
  if [[ -n "$pattern" ]]; then
    lines=$(MUTATE_PATTERN="$pattern" awk -v s="$start" -v e="$end" 'NR >= s && NR <= e && !/^[[:space:]]*\/\// &&
      $0 ~ ENVIRON["MUTATE_PATTERN"] { print NR }' "$file")
  else
    lines=$(awk -v s="$start" -v e="$end" 'NR >= s && NR <= e && !/^[[:space:]]*\/\// &&
      (/(^|[^A-Za-z_])revert[ (]/ || /require\(/ || /if \(.*\) return false;/ || /^[[:space:]]*return false;/ || /return \(false/) { print NR }' "$file")
  fi
  for n in $lines; do
    code=$(sed -n "${n}p" "$file" | sed -E 's/^[[:space:]]+//')
    [[ -n "$match" ]] && ! grep -qE -- "$match" <<<"$code" && continue
    cp "$file" "$file.orig"
    sed -i "${n}d" "$file"
    if forge build >"$work/build.log" 2>&1; then
      if run_tests; then verdict=SURVIVED; else verdict=KILLED; fi
    else
      verdict=BUILD-FAIL
    fi
    mv "$file.orig" "$file"
    printf '%-9s %s:%s  %s\n' "$verdict" "$file" "$n" "$code" | tee -a "$report"
  done
done

echo
total=$(wc -l <"$report")
survivors=$(grep -c '^SURVIVED' "$report")
echo "mutants: $total, killed: $((total - survivors)), survivors: $survivors"
grep '^SURVIVED' "$report" || true
