/** The CLI half of the entry. */
import { main } from '../cli/main.js';
import '../cli/commands.js';
import '../cli/status.js';
import '../cli/permissions.js';

export async function runCli(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2));
}
