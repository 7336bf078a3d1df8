/**
 * The runner's file commands (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#environment-files):
 * a step appends `name=value` lines, or `name<<DELIMITER` ... `DELIMITER` blocks for multi-line
 * values, to the files named by GITHUB_OUTPUT (step outputs) and GITHUB_ENV (environment of the
 * steps that follow); GITHUB_PATH holds one directory a line, prepended to PATH for later steps.
 */
import fs from 'node:fs';

/** Parse a GITHUB_OUTPUT or GITHUB_ENV file. @throws on a heredoc whose delimiter never comes. */
export function parseEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(file)) return out;
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const value: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === heredoc[2]) {
          closed = true;
          break;
        }
        value.push(lines[i]);
      }
      if (!closed) throw new Error(`${file}: matching delimiter not found '${heredoc[2]}'`);
      out[heredoc[1]] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`${file}: invalid format '${line}'`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** The directories a step added to GITHUB_PATH, in order. */
export function parsePathFile(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
}
