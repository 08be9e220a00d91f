import { mkdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/index.js';
import { launchBrowser } from '../helpers/browser.js';
import { photo } from '../helpers/images.js';
import { INTEG_STACK } from './fixtures/app.js';
import { apiClient, startFixtureRuntime, waitFor } from './helpers.js';

/** Where the dashboard's screenshot goes (git-ignored). */
const SCREENSHOT = path.resolve('.qw', 'screenshots', 'ui.png');

let runtime: LocalRuntime;
let api: ReturnType<typeof apiClient>;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  runtime = await startFixtureRuntime();
  api = apiClient(runtime);
  // Never skipped: with no browser to be found, this fails and says how to get one.
  const launched = await launchBrowser();
  browser = launched.browser;
  console.log(`dashboard browser: ${launched.found.source}, ${launched.found.executablePath} (${browser.version()})`);
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(`${runtime.url}/ui`);
});

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

/** A number in the queues table: `column` of the simulate row. */
async function simulateCount(column: 'visible' | 'in-flight' | 'delayed' | 'dlq-count'): Promise<number> {
  const text = await page.locator(`#queues tr[data-type="simulate"] td.${column}`).textContent();
  return Number(text);
}

describe('the local web dashboard', () => {
  it('shows every job type with live counts', async () => {
    await page.locator('#queues tr[data-type="simulate"]').waitFor();
    const types = await page.locator('#queues tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.type));
    expect(types.sort()).toEqual(['image.thumbnail', 'simulate', 'webhook.deliver']);
    expect(await page.locator('#meta').textContent()).toMatch(new RegExp(`stack ${INTEG_STACK}`));
  });

  it('submits jobs from its form, and the counts and the jobs list follow them', async () => {
    // Prepare
    await page.selectOption('#submit-type', 'simulate');
    await page.fill('#submit-payload', '{"sleepMs": 1500}');
    await page.fill('#submit-count', '12');
    // Act
    await page.click('#submit button[type=submit]');
    // Assess: the jobs are counted in the queue while they run, then listed as succeeded.
    await expect.poll(() => page.locator('#submit-result').textContent()).toMatch(/accepted 12, rejected 0/);
    await expect
      .poll(async () => (await simulateCount('visible')) + (await simulateCount('in-flight')), { timeout: 10_000 })
      .toBeGreaterThan(0);
    await page.click('#status-filter button[data-status="succeeded"]');
    await expect
      .poll(() => page.locator('#jobs tbody tr[data-status="succeeded"]').count(), { timeout: 30_000 })
      .toBeGreaterThanOrEqual(12);
    expect(await page.locator('#jobs tbody tr:not([data-status="succeeded"])').count()).toBe(0);
    await expect.poll(() => simulateCount('in-flight'), { timeout: 10_000 }).toBe(0);
  });

  it('plots the throughput of the last minutes', async () => {
    await expect
      .poll(() => page.locator('#legend').textContent(), { timeout: 10_000 })
      .toMatch(/simulate \((1[2-9]|[2-9]\d|\d{3,}) in 10 min\)/);
    const d = await page.locator('#throughput path[data-type="simulate"]').getAttribute('d');
    // 120 five-second buckets over ten minutes, and the line leaves the zero baseline somewhere.
    expect(d?.split(/[ML]/).filter(Boolean)).toHaveLength(120);
    const ys = (d ?? '')
      .split(/[ML]/)
      .filter(Boolean)
      .map((p) => Number(p.split(',')[1]));
    expect(Math.min(...ys)).toBeLessThan(Math.max(...ys));
  });

  it("shows a job's detail when its row is clicked", async () => {
    const row = page.locator('#jobs tbody tr').first();
    const jobId = await row.getAttribute('data-job-id');
    await row.click();
    await expect.poll(() => page.locator('#detail').textContent()).toContain(`"jobId": "${jobId}"`);
    expect(await page.locator('#detail').textContent()).toMatch(/"status": "succeeded"/);
  });

  it("follows a running job's progress, and cancels it with the button", async () => {
    // Prepare: ten reports over two seconds.
    const jobId = await api.submit({ type: 'simulate', payload: { sleepMs: 2000, reportProgress: true } });
    await page.fill('#lookup-id', jobId);
    await page.click('#lookup button[type=submit]');
    // Assess: a bar with the reported percentage while it runs.
    await expect.poll(() => page.locator('#progress-text').textContent(), { timeout: 10_000 }).toMatch(/^\d+%$/);
    expect(Number(await page.locator('#progress-bar').getAttribute('value'))).toBeGreaterThan(0);
    // Act
    await page.click('#cancel-job');
    // Assess: asked to stop, then cancelled; the button goes.
    await expect.poll(() => page.locator('#cancel-result').textContent()).toBe('running: asked to stop');
    await expect
      .poll(() => page.locator('#detail').textContent(), { timeout: 10_000 })
      .toMatch(/"status": "cancelled"/);
    expect(await page.locator('#cancel-job').isHidden()).toBe(true);
  });

  it('lists the DLQ and redrives it with the button', async () => {
    // Prepare: a job that fails at once lands in the DLQ.
    const jobId = await api.submit({ type: 'simulate', payload: { fatal: true } });
    await api.settled(jobId);
    await page.selectOption('#dlq-type', 'simulate');
    await page.locator(`#dlq tbody tr[data-job-id="${jobId}"]`).waitFor({ timeout: 15_000 });
    expect(await page.locator(`#dlq tbody tr[data-job-id="${jobId}"]`).textContent()).toMatch(
      /NON_RETRYABLE: simulated fatal failure/,
    );
    await expect.poll(() => simulateCount('dlq-count'), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    // Act
    await page.click('#redrive');
    // Assess: a move task started, the job back to queued; being fatal, it fails and returns.
    await expect
      .poll(() => page.locator('#redrive-result').textContent(), { timeout: 15_000 })
      .toMatch(/move task \S+ started; 1 jobs back to queued/);
    const again = await waitFor(
      () => api.job(jobId),
      (j) => j.status === 'failed',
      { what: 'the redriven fatal job to fail again' },
    );
    expect(again.attempts).toBe(1);
  });

  it("lists job events with the rule targets they went to, and shows the job when an event's row is clicked", async () => {
    // Prepare: a job that succeeds, whose event the fixture app's rule routes to its probe queue.
    const jobId = await api.submit({ type: 'simulate', payload: {} });
    await api.settled(jobId);

    // Act
    const row = page.locator(`#events tbody tr[data-job-id="${jobId}"]`);
    await row.waitFor({ timeout: 10_000 });
    await expect.poll(() => row.locator('td.deliveries').textContent(), { timeout: 5_000 }).toMatch(/^✓ /);
    await row.click();

    // Assess
    expect(await row.getAttribute('data-detail-type')).toBe('Job Succeeded');
    expect(await row.locator('td.deliveries').textContent()).toMatch(/✓ \S*AllJobEvents\S* → sqs \S*JobEventsProbe/);
    await expect.poll(() => page.locator('#detail').textContent()).toContain(`"jobId": "${jobId}"`);
  });

  it('says why an upload is refused, naming the limit', async () => {
    // Prepare: a picked file of a type the API does not presign.
    await page.setInputFiles('#image-file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hi') });
    // Act
    await page.click('#images button[type=submit]');
    // Assess
    await expect
      .poll(() => page.locator('#image-status').textContent())
      .toMatch(/The upload request is invalid\. contentType: .*image\/jpeg/);
    expect(await page.locator('#image-thumbnails img').count()).toBe(0);
  });

  it('uploads a picked image straight to the bucket and shows the thumbnails of its job', async () => {
    // Prepare: a 1200 x 900 JPEG stored sideways (EXIF orientation 6), so shown 900 x 1200.
    const image = await photo(1200, 900, { orientation: 6, seed: 7 });
    await page.setInputFiles('#image-file', { name: 'portrait.jpg', mimeType: 'image/jpeg', buffer: image });
    await page.fill('#image-widths', '96,300');
    await page.selectOption('#image-format', 'png');
    await page.check('#image-watermark');
    // Act
    await page.click('#images button[type=submit]');
    // Assess: two thumbnails, upright, loaded from their presigned URLs.
    await expect
      .poll(() => page.locator('#image-status').textContent(), { timeout: 60_000 })
      .toMatch(/succeeded; 2 thumbnails of a 900 x 1200 jpeg/);
    const images = page.locator('#image-thumbnails img');
    // The page's <img> elements, as far as this test reads them (the tests compile without the DOM's types).
    type Img = { complete: boolean; naturalWidth: number; naturalHeight: number };
    await expect.poll(() => images.evaluateAll((all) => all.every((i) => (i as unknown as Img).complete))).toBe(true);
    const sizes = await images.evaluateAll((all) =>
      all.map((i) => [(i as unknown as Img).naturalWidth, (i as unknown as Img).naturalHeight]),
    );
    expect(sizes).toEqual([
      [96, 128],
      [300, 400],
    ]);
    expect(await page.locator('#image-thumbnails figcaption').allTextContents()).toEqual([
      '96 x 128 png',
      '300 x 400 png',
    ]);
  });

  it('saves a screenshot with work in progress', async () => {
    // Slow jobs, so the screenshot shows messages in flight and a rate.
    await api.request('POST', '/jobs/batch', {
      jobs: Array.from({ length: 20 }, () => ({ type: 'simulate', payload: { sleepMs: 4000 } })),
    });
    await page.click('#status-filter button[data-status=""]');
    await expect.poll(() => simulateCount('in-flight'), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.waitForTimeout(1500);
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`dashboard screenshot: ${SCREENSHOT}`);
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(20_000);
  });
});
