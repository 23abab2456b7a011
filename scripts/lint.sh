#!/usr/bin/env bash
# Lint and format checks, run by .ci/run before the tests: types (tsc), TypeScript format and lint
# (biome, biome.json), Solidity format (forge fmt, foundry.toml [fmt]) and lint of the contracts
# (forge lint; every compiler or lint warning fails).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
tsc -p tsconfig.json --noEmit
biome ci --error-on-warnings --reporter=summary .
forge fmt --check
# forge lint compiles with ABI-only output: give it its own out and cache directories, or it would leave
# artifacts without bytecode in contracts/out that forge build then takes as up to date.
lint_dir="$(mktemp -d)"
trap 'rm -rf "$lint_dir"' EXIT
FOUNDRY_OUT="$lint_dir/out" FOUNDRY_CACHE_PATH="$lint_dir/cache" forge lint -D warnings contracts/src
