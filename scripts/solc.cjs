#!/usr/bin/env node
// forge cannot download a native solc on these machines, so it runs this instead.
// It answers `--version` like native solc and compiles standard JSON from stdin with
// the npm `solc` package (same compiler, built to WebAssembly).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const solc = require('solc');

const args = process.argv.slice(2);
if (args.includes('--version')) {
  const full = solc.version().replace('.Emscripten.clang', '');
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${full}.Linux.g++\n`);
  process.exit(0);
}
if (!args.includes('--standard-json')) {
  process.stderr.write('scripts/solc.cjs: only --version and --standard-json are supported\n');
  process.exit(2);
}

// forge passes its project root through --base-path / --allow-paths; imports resolve from there.
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const basePath = flag('--base-path') ?? process.cwd();
const includePaths = args.flatMap((a, i) => (a === '--include-path' ? [args[i + 1]] : []));

function findImports(importPath) {
  for (const root of [basePath, ...includePaths, process.cwd()]) {
    const p = path.resolve(root, importPath);
    if (fs.existsSync(p)) return { contents: fs.readFileSync(p, 'utf8') };
  }
  return { error: `File not found: ${importPath}` };
}

const input = fs.readFileSync(0, 'utf8');
process.stdout.write(solc.compile(input, { import: findImports }));
