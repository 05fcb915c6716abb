/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedKafka } from '../../../../src/kafka/index.js';
import type { KafkaStreams } from '../../../../src/index.js';
import {
  createTopics,
  INPUT,
  OUTPUT,
  produceLines,
  removeTempDirs,
  tempStateDir,
  wordCountApp,
  wordCountTopology,
} from '../support/embedded-app.js';

/** Debian's `chromium` (`.ci/run` installs it), or the browser CHROMIUM_PATH names. */
function chromiumPath(): string {
  const explicit = process.env.CHROMIUM_PATH;
  if (explicit !== undefined && existsSync(explicit)) return explicit;
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('The live-view test needs Chromium: apt-get install chromium, or set CHROMIUM_PATH.');
  }
}

let browser: Browser | undefined;
const apps: KafkaStreams[] = [];
afterEach(async () => {
  await browser?.close();
  browser = undefined;
  for (const app of apps.splice(0)) await app.close();
  await removeTempDirs();
});

describe('the live view in a real browser', () => {
  it('draws the topology and its processed-records figure rises as records flow', async () => {
    const kafka = createEmbeddedKafka();
    await createTopics(kafka, [
      { topic: INPUT, partitions: 4 },
      { topic: OUTPUT, partitions: 4 },
    ]);
    const app = wordCountApp(kafka, await tempStateDir(), { http: { port: 0 } });
    apps.push(app);
    await app.start();
    const { host, port } = app.httpAddress!;

    browser = await puppeteer.launch({
      executablePath: chromiumPath(),
      headless: true,
      // Root in CI containers cannot use Chromium's sandbox.
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 900 });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`http://${host}:${port}/`, { waitUntil: 'domcontentloaded' });

    // Every processor, source and sink of both sub-topologies, the topics and the store.
    const nodes = wordCountTopology()
      .describe()
      .subtopologies.flatMap((s) => s.nodes.map((n) => n.name));
    await page.waitForSelector('#topology-graph [data-node]', { timeout: 30_000 });
    const drawn = await page.$$eval('#topology-graph [data-node]', (els) =>
      els.map((e) => e.getAttribute('data-node')),
    );
    expect(drawn).toEqual(
      expect.arrayContaining([...nodes, 'topic lines', 'topic counts-out', 'store counts']),
    );
    await page.waitForFunction(() => document.querySelectorAll('#tasks tr[data-task]').length === 8, {
      timeout: 30_000,
    });
    expect(await page.$eval('#state', (e) => e.textContent)).toBe('RUNNING');
    expect(await page.$eval('#total-processed', (e) => e.textContent)).toBe('0');

    // 50 lines of 3 words: 50 records in sub-topology 0, 150 in sub-topology 1.
    await produceLines(kafka, 50);
    await page.waitForFunction(() => document.querySelector('#total-processed')?.textContent === '200', {
      timeout: 30_000,
    });
    const rate = await page.$eval('#total-rate', (e) => Number(e.textContent!.replace(/,/g, '')));
    expect(rate).toBeGreaterThan(0);
    expect(await page.$eval('#recent', (e) => e.textContent)).toContain('rebalance');
    // Nothing but the app's own server was asked for anything.
    expect(requests.every((url) => url.startsWith(`http://${host}:${port}/`))).toBe(true);

    const screenshot = process.env.TRIBUTARY_SCREENSHOT;
    if (screenshot !== undefined)
      await page.screenshot({ path: screenshot as `${string}.png`, fullPage: true });
  }, 90_000);
});
