/**
 * The aegis-dr CLI from source (run with `node --import tsx`), for tests that must kill a real
 * process in the middle of a phase: what a runner that dies leaves behind (the journal on disk,
 * a message at the channel) is then exactly what a re-run finds.
 */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
