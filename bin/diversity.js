#!/usr/bin/env node
// Entry point of the `diversity` command. libp2p needs Node >= 22: `npx diversity` and npm
// scripts run the Node 22 that `npm ci` installs in node_modules/.bin.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `diversity needs Node.js >= 22 (this is ${process.version}). Run it as \`npx diversity ...\` ` +
      `or through npm scripts, which use the Node 22 installed by \`npm ci\`.\n`,
  );
  process.exit(1);
}
const { register } = await import('tsx/esm/api');
register();
const { run } = await import('../node/src/cli/index.ts');
const { simCommand } = await import('../sim/src/cli.ts');
run([simCommand]);
