/**
 * Proof that the report's chart renders: a short drill on the sandbox writes its report and
 * incident chart into its folder; Mermaid itself (the `mermaid` package from node_modules, no
 * network) renders the report's Mermaid block to SVG in a real browser (Debian's chromium driven
 * by playwright-core), and the test looks at the result: a bar for every phase of every stack,
 * the critical path, the milestones and the RTO target line. A screenshot is kept next to the
 * report (incident.png) for a person to look at.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { runDrill, type DrillResult } from '../../src/drill/drill.js';
import { readJournal } from '../../src/engine/journal.js';
import { requireChromium } from '../support/chromium.js';

const browserPath = requireChromium();
const MERMAID = path.resolve(import.meta.dirname, '../../node_modules/mermaid/dist/mermaid.min.js');

let out: string;
let profile: string;
let drill: DrillResult;
let browser: BrowserContext | undefined;

beforeAll(async () => {
  out = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'aegis-render-'));
  profile = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'aegis-chromium-'));
  drill = await runDrill({
    outDir: path.join(out, 'drill'),
    stack: 'aws,gcp',
    speed: 1000,
    durations: 'low',
    prometheus: 'builtin',
    noFailback: true,
  });
  if (browserPath) {
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: browserPath,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }
}, 180_000);

afterAll(async () => {
  await browser?.close();
  fs.rmSync(profile, { recursive: true, force: true });
  fs.rmSync(out, { recursive: true, force: true });
});

/** The Mermaid block of a Markdown text. */
function mermaidBlock(markdown: string): string {
  const m = /```mermaid\n([\s\S]*?)\n```/.exec(markdown);
  if (!m) throw new Error('the report has no ```mermaid block');
  return m[1];
}

test('the drill writes its report and incident chart into its folder and says where', () => {
  expect(drill.evidence).toEqual({
    report: path.join(out, 'drill', 'report.md'),
    chart: path.join(out, 'drill', 'incident.mmd'),
  });
  const md = fs.readFileSync(drill.evidence!.report, 'utf8');
  expect(mermaidBlock(md)).toBe(fs.readFileSync(drill.evidence!.chart!, 'utf8').trimEnd());
  expect(md).not.toContain(out); // no absolute path of this machine in the report
  expect(md).toMatch(/\| aws \| region-outage \|.*\| T\+[0-9.]+ s \/ 30 min \| T\+[0-9.]+ s \/ 30 min \|/);
});

test('Mermaid renders the chart in a real browser: a bar for every phase, the critical path, the RTO target', async () => {
  if (!browser) return; // requireChromium() said why; under CI it throws instead
  const source = mermaidBlock(fs.readFileSync(drill.evidence!.report, 'utf8'));
  const page = await browser.newPage();
  // nothing leaves the machine: every request the page might make is refused
  const requests: string[] = [];
  await page.route('**/*', (route) => {
    requests.push(route.request().url());
    return route.abort();
  });
  await page.setContent(
    '<!doctype html><html><body style="width:1400px"><div id="chart"></div></body></html>',
  );
  await page.addScriptTag({ content: fs.readFileSync(MERMAID, 'utf8') });
  const rendered = await page.evaluate(async (src) => {
    const m = (globalThis as any).mermaid;
    m.initialize({ startOnLoad: false, gantt: { useWidth: 1400 } });
    try {
      const { svg } = await m.render('incident', src);
      (globalThis as any).document.getElementById('chart').innerHTML = svg;
      return { ok: true as const };
    } catch (err) {
      return { ok: false as const, error: String(err) };
    }
  }, source);
  expect(rendered).toEqual({ ok: true });
  const shot = path.join(path.dirname(drill.evidence!.report), 'incident.png');
  await page.locator('#chart svg').screenshot({ path: shot });
  expect(fs.statSync(shot).size).toBeGreaterThan(1000);
  if (process.env.AEGIS_KEEP_SCREENSHOT) fs.copyFileSync(shot, process.env.AEGIS_KEEP_SCREENSHOT);
  const look = await page.evaluate(() => {
    const svg = (globalThis as any).document.querySelector('#chart svg');
    type El = { getAttribute(n: string): string | null; textContent: string | null };
    const all = (sel: string): El[] => [...svg.querySelectorAll(sel)];
    const rects = all('rect.task');
    const bars = rects.filter((r) => !/milestone|vert/.test(r.getAttribute('class') ?? ''));
    return {
      bars: bars.length,
      widths: bars.map((r) => Number(r.getAttribute('width'))),
      critical: bars.filter((r) => /crit/.test(r.getAttribute('class') ?? '')).length,
      milestones: rects.filter((r) => /milestone/.test(r.getAttribute('class') ?? '')).length,
      vert: all('.vert').length,
      texts: all('text').map((t) => (t.textContent ?? '').trim()),
      sections: all('text.sectionTitle').map((t) => t.textContent?.trim()),
    };
  });
  // what the journal says happened: each stack's phases after its declaration
  const records = readJournal(drill.journalFile);
  const phasesOf = (stack: string) => {
    const from = records.findIndex(
      (r) => r.stack === stack && r.phase === 'declare' && r.step === 'incident',
    );
    return new Set(
      records
        .slice(from)
        .filter((r) => r.stack === stack)
        .map((r) => r.phase),
    );
  };
  const expectedBars = source.split('\n').filter((l) => /:(crit, |done, )?t\d+, \d+, \d+$/.test(l.trim()));
  expect(expectedBars.length).toBeGreaterThanOrEqual(phasesOf('aws').size + phasesOf('gcp').size);
  expect(look.bars).toBe(expectedBars.length);
  for (const w of look.widths) expect(w).toBeGreaterThan(0);
  for (const stack of ['aws', 'gcp']) {
    expect(look.sections).toContain(stack);
    for (const phase of ['declare', 'drain', 'database', 'scale', 'traffic', 'verify'])
      expect(phasesOf(stack).has(phase) ? phase : `${phase} missing from the journal`).toBe(phase);
  }
  for (const phase of ['declare', 'database', 'scale', 'traffic', 'verify'])
    expect(look.texts.filter((t) => t.startsWith(`${phase} `)).length).toBeGreaterThanOrEqual(2);
  expect(look.critical).toBeGreaterThanOrEqual(2);
  expect(look.milestones).toBe(4); // service restored and verified, per stack
  expect(look.vert).toBeGreaterThanOrEqual(1);
  expect(look.texts).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^RTO target 30 min \(1\.8 s at speed 1000\)$/),
      expect.stringMatching(/^aws service restored T\+[0-9.]+ s$/),
      expect.stringMatching(/^gcp verified T\+[0-9.]+ s$/),
    ]),
  );
  expect(requests).toEqual([]);
});
