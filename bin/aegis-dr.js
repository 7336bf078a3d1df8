#!/usr/bin/env node
// The `aegis-dr` command: runs the bundled CLI (dist/index.js). Needs Node 24 or later.
// `--version` is answered from package.json before anything else loads, on any Node.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
  process.exit(0);
}
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `aegis-dr needs Node 24 or later (this is Node ${process.versions.node}): install Node 24, or run it from a clone with npm run aegis-dr, which uses the node@24 dev dependency.\n`,
  );
  process.exit(2);
}
process.env.AEGIS_DR_ENTRY = 'cli';
await import('../dist/index.js');
