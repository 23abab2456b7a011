#!/usr/bin/env bash
# Lint and format checks, run by .ci/run before the tests: types (tsc), TypeScript format and lint
# (biome, biome.json), Solidity format (forge fmt, foundry.toml [fmt]) and lint of the contracts
# (forge lint; every compiler or lint warning fails).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
tsc -p tsconfig.json --noEmit
biome ci --reporter=summary .
forge fmt --check
forge lint -D warnings contracts/src
