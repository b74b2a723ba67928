import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { createTempWorkspace, type TempWorkspace } from './utils/temp-workspace';

/** Debian's chromium package (`apt-get install -y chromium`; .ci/run installs it). Never a downloaded browser. */
const CHROMIUM = '/usr/bin/chromium';
/** The flags that work on this kind of machine (no sandbox as root, no background traffic to a closed network). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const task = (id: string, milliseconds: number, extra: string[] = []) =>
  [
    '---',
    `script: { duration: ${milliseconds}ms, summary: "${id} <done> & summarised", files: { "out/${id}.txt": "${id}" } }`,
    `outputs: ["out/${id}.txt"]`,
    ...extra,
    '---',
    `Do ${id}.`,
    '',
  ].join('\n');

interface PageFacts {
  bars: Array<{ text: string; classes: string; background: string; width: number; top: number }>;
  saved: string;
  consoleErrors: string[];
  requests: string[];
  detailsAfterClick: string;
}

async function openReport(browser: Browser, file: string, screenshot: string): Promise<PageFacts> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(pathToFileURL(file).href);
  const bars = await page.$$eval('.bar', (elements) =>
    elements.map((element) => {
      const box = element.getBoundingClientRect();
      return {
        text: element.textContent ?? '',
        classes: element.className,
        background: element.ownerDocument.defaultView!.getComputedStyle(element).backgroundColor,
        width: box.width,
        top: box.top,
      };
    }),
  );
  const saved = (await page.textContent('#saved')) ?? '';
  await page.click('.bar.critical');
  const detailsAfterClick = (await page.textContent('#details')) ?? '';
  await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
  return { bars, saved, consoleErrors, requests: requests.filter((url) => !url.startsWith('file:')), detailsAfterClick };
}

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) process.stderr.write(`run-report.e2e: skipped, ${CHROMIUM} is missing (apt-get install -y chromium)\n`);

(haveChromium ? describe : describe.skip)('.agent-runs/report.html in headless Chromium', () => {
  let workspace: TempWorkspace;
  let browser: Browser;
  const screenshots = mkdtempSync(join(tmpdir(), 'nx-agent-report-'));
  beforeAll(async () => {
    workspace = createTempWorkspace({
      'apps/app/project.json': { name: 'app' },
      'apps/app/tasks/design.agent.md': task('design', 800),
      'apps/app/tasks/build-it.agent.md': task('build-it', 600, ['dependsOn: [design]']),
      'apps/app/tasks/docs.agent.md': task('docs', 300),
      'apps/app/tasks/lint.agent.md': task('lint', 200),
    });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(() => browser?.close());

  it('after a run: one bar per task, in lanes, the critical path marked, no console errors, nothing loaded', async () => {
    const run = await workspace.nx(['run-many', '-t', 'agent', '--parallel=3']);
    expect({ code: run.code, output: run.code === 0 ? '' : run.output }).toEqual({ code: 0, output: '' });
    expect(run.output).toContain('Run report: .agent-runs/report.html');
    const screenshot = join(screenshots, 'first-run.png');
    const facts = await openReport(browser, join(workspace.root, '.agent-runs/report.html'), screenshot);
    expect(facts.consoleErrors).toEqual([]);
    expect(facts.requests).toEqual([]);
    expect(facts.bars.map((bar) => bar.text).sort()).toEqual(['app:build-it', 'app:design', 'app:docs', 'app:lint']);
    expect(new Set(facts.bars.map((bar) => bar.top)).size).toBeGreaterThan(1);
    expect(facts.bars.filter((bar) => bar.classes.includes('critical')).map((bar) => bar.text)).toEqual(['app:design', 'app:build-it']);
    expect(facts.detailsAfterClick).toContain('agentscripted');
    expect(facts.detailsAfterClick).toContain('summary');
    expect(facts.detailsAfterClick).toContain('<done> & summarised');
    expect(statSync(screenshot).size).toBeGreaterThan(5_000);
  });

  it('a replay marks the cache hits and says what the cache saved; a failure is red', async () => {
    workspace.write('apps/app/tasks/lint.agent.md', task('lint', 200, ['retries: 0']).replace('script: {', 'script: { fail: "lint broke",'));
    const run = await workspace.nx(['run-many', '-t', 'agent', '--parallel=3']);
    expect(run.code).not.toBe(0);
    const facts = await openReport(browser, join(workspace.root, '.agent-runs/report.html'), join(screenshots, 'replay.png'));
    expect(facts.consoleErrors).toEqual([]);
    expect(facts.bars).toHaveLength(4);
    const byTask = new Map(facts.bars.map((bar) => [bar.text, bar]));
    for (const name of ['app:design', 'app:build-it', 'app:docs'])
      expect({ name, cached: byTask.get(name)!.classes.includes('cached') }).toEqual({ name, cached: true });
    expect(byTask.get('app:lint')!.classes).toContain('failed');
    expect(byTask.get('app:lint')!.background).toBe('rgb(207, 34, 46)');
    expect(facts.saved).toMatch(/saved by the cache: \d+ in \/ \d+ out tokens, [\d.]+s of agent time/);
  });
});
