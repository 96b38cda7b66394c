import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { runReport } from '../../../src/cli/report.ts';
import { DuckDbSink } from '../../../src/warehouse/duckdb-sink.ts';
import { batchOf } from '../../unit/warehouse/ses-values.ts';
import { syntheticStream } from '../../unit/warehouse/synthetic-stream.ts';
import { CANVAS_INK, measurePng, REPORT_SETTLED } from './browser-probes.ts';

const CHROMIUM = '/usr/bin/chromium';
const _REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Set to keep the screenshot for a person to look at (CI artefacts, debugging). */
const KEEP_SCREENSHOT = process.env.SES_REPORT_SCREENSHOT;

interface ReportStats {
  dailyMix: number;
  bounceRate: number;
  complaintRate: number;
  topBouncingDomains: number;
  enrichmentCoverage: number;
  bounceRateDaysOverThreshold: number;
  complaintRateDaysOverThreshold: number;
}

describe('ses-kafka report rendered in headless Chromium', function () {
  this.timeout(300_000);
  const values = syntheticStream();
  let dir: string;
  let context: BrowserContext;

  before(async function () {
    this.timeout(900_000);
    if (!existsSync(CHROMIUM)) {
      // Installing belongs to .ci/run and the scripts, never to a test run.
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}: run \`bash scripts/install-chromium.sh\` (npm test runs it first)`,
      );
    }
    dir = mkdtempSync(join(tmpdir(), 'warehouse-report-'));
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
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
  });

  after(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws every chart with data, loads nothing from the network, and the screenshot is not blank', async () => {
    const db = join(dir, 'w.duckdb');
    const sink = await DuckDbSink.open(db);
    await sink.write(batchOf(values));
    await sink.close();
    const html = join(dir, 'report.html');
    const lines: string[] = [];
    const code = await runReport(
      { db, out: html },
      { writeOut: (l) => lines.push(l), writeErr: (l) => lines.push(l) },
    );
    assert.equal(code, 0, lines.join('\n'));
    assert.match(
      lines.join('\n'),
      new RegExp(`wrote .*report\\.html .*: ${values.length} events, 0 undecodable`),
    );

    const page = await context.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(pathToFileURL(html).href);
    await page.waitForFunction(REPORT_SETTLED, null, { timeout: 30_000 });
    assert.equal(await page.evaluate('window.__reportError'), undefined);

    const stats = (await page.evaluate('window.__reportStats')) as ReportStats;
    assert.equal(stats.dailyMix, values.length, 'the daily mix counts every event');
    assert.equal(stats.enrichmentCoverage, values.length);
    assert.equal(stats.bounceRate, 7, 'one bounce-rate point per day');
    assert.equal(stats.complaintRate, 7, 'one complaint-rate point per day');
    assert.equal(stats.bounceRateDaysOverThreshold, 1, 'the stream has one bad day (day 3)');
    assert.ok(
      stats.complaintRateDaysOverThreshold > 0,
      'complaints arrive a day later but count on their send day',
    );
    assert.ok(stats.topBouncingDomains > 0, 'bouncing domains are listed');
    assert.deepEqual(
      requested.filter((url) => !url.startsWith('file:') && !url.startsWith('data:')),
      [],
      'the report is self-contained',
    );

    // Each canvas really has ink on it, not just a configured chart.
    const inked = (await page.evaluate(CANVAS_INK)) as { id: string; painted: number }[];
    assert.equal(inked.length, 5);
    for (const { id, painted } of inked) assert.ok(painted > 0.01, `${id} is almost empty (${painted})`);

    const screenshot = join(dir, 'report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    if (KEEP_SCREENSHOT) writeFileSync(KEEP_SCREENSHOT, await page.screenshot({ fullPage: true }));
    assert.ok(statSync(screenshot).size > 30_000, 'a blank page compresses to a few KB');

    // Decode the PNG in the browser and measure it: many colours and a good share of non-background pixels.
    const dataUrl = `data:image/png;base64,${readFileSync(screenshot).toString('base64')}`;
    const measured = (await page.evaluate(measurePng(dataUrl))) as {
      width: number;
      height: number;
      colours: number;
      differing: number;
    };
    assert.ok(
      measured.width >= 1280 && measured.height >= 900,
      `screenshot is ${measured.width}x${measured.height}`,
    );
    assert.ok(measured.colours > 50, `only ${measured.colours} colours: the screenshot looks blank`);
    assert.ok(
      measured.differing > 0.1,
      `only ${measured.differing} of the pixels differ from the background`,
    );
  });
});
