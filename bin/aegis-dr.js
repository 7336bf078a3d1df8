#!/usr/bin/env node
// The `aegis-dr` command: runs the bundled CLI (dist/index.js). Needs Node 24 or later.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `aegis-dr needs Node 24 or later (this is Node ${process.versions.node}): run it through npm (npx aegis-dr, npm run drill), which uses the node@24 dependency, or install Node 24.\n`,
  );
  process.exit(2);
}
process.env.AEGIS_DR_ENTRY = 'cli';
await import('../dist/index.js');
