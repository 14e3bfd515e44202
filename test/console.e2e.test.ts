/**
 * The web console end to end, in Debian's Chromium driven by playwright-core, against a real
 * `reelsmith serve` on loopback: sign in, upload media, build a Script job with two scenes, a voice
 * and a caption animation, see a wrong field's error next to it, submit Count 2 at a small size,
 * follow it to its end, play an output in the page and download it. Screenshots of the main screens
 * at 1280x800 and 390x844 go to docs/console/ (shown in the README).
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Service, startService } from '../src/shells/http/service.js';
import { ffprobe, media, tempDir } from './helpers.js';

const AK = 'LTAI5tConsole';
const SECRET = 'console-secret-0123456789';
const SHOTS = join(import.meta.dirname, '..', 'docs', 'console');
let service: Service;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(join(import.meta.dirname, '..', 'dist', 'console', 'index.html')))
    throw new Error('the console is not built: npm run build:console (npm test does it)');
  service = await startService({
    port: 0,
    dataDir: tempDir('rs-console-'),
    keys: new Map([[AK, SECRET]]),
    allowPrivateUrls: true,
    consolePassword: 'e2e password',
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
  });
  mkdirSync(SHOTS, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await service?.close();
});

/** Library cards whose thumbnail has arrived and decoded. */
const thumbnailsShown = (page: Page) =>
  page.locator('ul[aria-label=media] img').evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length);

async function signIn(page: Page) {
  await page.goto(service.url);
  await page.getByLabel('Access key ID').fill(AK);
  await page.getByLabel('Access key secret').fill(SECRET);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Media library' }).waitFor();
}

describe('the web console', () => {
  it('refuses a wrong key with a message, in the page', async () => {
    const page = await browser.newPage();
    await page.goto(service.url);
    await page.getByLabel('Access key ID').fill(AK);
    await page.getByLabel('Access key secret').fill('wrong');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/configured key/);
    expect(await page.getByRole('heading', { name: 'Media library' }).count()).toBe(0);
    await page.close();
  });

  it('signs in with the console password too', async () => {
    const page = await browser.newPage();
    await page.goto(service.url);
    await page.getByLabel('or the console password').fill('e2e password');
    await page.getByRole('button', { name: 'Sign in with the password' }).click();
    await page.getByRole('heading', { name: 'Media library' }).waitFor();
    await page.close();
  });

  it('signs in, uploads, builds a two-scene job, shows a field error at its field, renders Count 2, plays and downloads an output', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page);

    // Library: three uploads with progress, then their cards with thumbnails.
    await page.locator('input[type=file]').setInputFiles([media('storefront_opening.mp4'), media('mall_crowd.mp4'), media('logo.png')]);
    await expect.poll(() => page.locator('.uploads .ok').count(), { timeout: 60_000 }).toBe(3);
    const cards = page.locator('ul[aria-label=media] li');
    await expect.poll(() => cards.count()).toBe(3);
    await expect.poll(() => thumbnailsShown(page), { timeout: 30_000 }).toBe(3);
    // Each card shows its own item's thumbnail: of the thumbnails the API answers for the cards'
    // media IDs, the one nearest to each card's picture is its own.
    const nearest = await page.locator('ul[aria-label=media] li').evaluateAll(async (lis) => {
      const key = JSON.parse(sessionStorage.getItem('reelsmith.key') ?? '{}') as { id: string; secret: string };
      const sig = (src: CanvasImageSource) => {
        const c = document.createElement('canvas');
        c.width = c.height = 8;
        const x = c.getContext('2d')!;
        x.drawImage(src, 0, 0, 8, 8);
        return Array.from(x.getImageData(0, 0, 8, 8).data);
      };
      const shown = (lis as HTMLElement[]).map((li) => sig(li.querySelector('img')!));
      const own: number[][] = [];
      for (const li of lis as HTMLElement[]) {
        const r = await fetch(`/api/v1/media/${li.dataset.mediaId}/thumbnail`, {
          headers: { authorization: `Bearer ${key.id}:${key.secret}` },
        });
        own.push(sig(await createImageBitmap(await r.blob())));
      }
      const distance = (a: number[], b: number[]) => a.reduce((d, v, k) => d + Math.abs(v - b[k]), 0);
      return shown.map((s) => own.map((o) => distance(s, o)).reduce((best, d, k, all) => (d < all[best] ? k : best), 0));
    });
    expect(nearest).toEqual([0, 1, 2]);
    // An item's title edited in place.
    await page.getByRole('button', { name: 'Edit logo' }).click();
    await page.locator('form.edit-item').getByLabel('Title').fill('brand logo');
    await page.locator('form.edit-item').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('ul[aria-label=media]').textContent()).toContain('brand logo');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, 'library-1280.png') });

    // Create: two scenes, a voice, a caption animation, a small size, Count 2.
    await page.getByRole('link', { name: 'Create' }).click();
    await page.getByRole('button', { name: 'New' }).click();
    await page.locator('#scene-0-media').selectOption({ label: 'storefront_opening' });
    // In/out points of the first scene's clip, picked over the clip playing in the page.
    await page.getByRole('button', { name: 'In and out points of storefront_opening' }).click();
    const clip = page.getByLabel('storefront_opening preview');
    await expect.poll(() => clip.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    await page.getByRole('button', { name: 'Add a range' }).click();
    await page.getByLabel('In (s)').fill('0.5');
    await page.getByLabel('In (s)').blur();
    await page.getByLabel('Out (s)').fill('1.5');
    await page.getByLabel('Out (s)').blur();
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Add scene' }).click();
    await page.locator('#scene-1-media').selectOption({ label: 'mall_crowd' });
    await page.locator('#speech-texts').fill('Grand opening today. Come and see.');
    await page.locator('#speech-texts').blur();
    await page.locator('#voice').selectOption('cally');
    const animations = await page.locator('#caption-in option').allTextContents();
    expect(animations.length).toBeGreaterThan(5);
    await page.locator('#caption-in').selectOption(animations[2]);
    await page.getByRole('button', { name: 'Show the caption' }).click();
    await expect
      .poll(() => page.locator('img.caption-still').evaluate((i) => (i as HTMLImageElement).naturalWidth), { timeout: 30_000 })
      .toBeGreaterThan(100);
    // Transitions: one chosen from the catalogue, its strip shown; a blurred background.
    await page.locator('details.transition-list summary').click();
    await page.locator('details.transition-list input[type=checkbox]').first().check();
    await page.locator('details.transition-list button').first().click();
    await expect
      .poll(() => page.locator('img.strip').evaluate((i) => (i as HTMLImageElement).naturalWidth), { timeout: 30_000 })
      .toBeGreaterThan(100);
    await page.getByLabel('blurred picture').check();
    // A sticker: added, dragged a fifth of the frame to the right, moved down by the keyboard.
    await page.locator('#stickers').selectOption({ label: 'brand logo' });
    const sticker = page.getByRole('button', { name: /^Sticker 1/ });
    await page.getByLabel('preview frame').scrollIntoViewIfNeeded();
    const frameBox = (await page.getByLabel('preview frame').boundingBox())!;
    const box = (await sticker.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + frameBox.width * 0.2, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await sticker.focus();
    await page.keyboard.press('ArrowDown');
    await page.locator('#height').fill('320');
    await page.locator('#height').blur();
    await page.locator('#count').fill('2');
    await page.locator('#count').blur();
    // A wrong width: the service's reason appears next to the field, naming it.
    await page.locator('#width').fill('5');
    await page.locator('#width').blur();
    await expect.poll(() => page.locator('#width-error').textContent(), { timeout: 10_000 }).toMatch(/OutputConfig\.Width.*128/);
    expect(await page.locator('#width').getAttribute('aria-describedby')).toBe('width-error');
    await page.screenshot({ path: join(SHOTS, 'create-1280.png'), fullPage: true });
    await page.locator('#width').fill('180');
    await page.locator('#width').blur();
    await expect.poll(() => page.locator('#width-error').count()).toBe(0);
    // The JSON view shows the job being built.
    const json = JSON.parse(await page.locator('#job-json').inputValue()) as {
      InputConfig: { MediaGroupArray: unknown[] };
      OutputConfig: object;
    };
    expect(json.InputConfig.MediaGroupArray).toHaveLength(2);
    expect(json.OutputConfig).toMatchObject({ Width: 180, Height: 320, Count: 2 });
    const editing = (json as unknown as { EditingConfig: { ProcessConfig: { TransitionList: string[] }; BackgroundImageConfig: object } })
      .EditingConfig;
    expect(editing.ProcessConfig.TransitionList).toHaveLength(1);
    expect(editing.BackgroundImageConfig).toEqual({ SubType: 'Blur' });
    const placed = (json.InputConfig as unknown as { StickerArray: { X: number; Y: number; Width: number; MediaId: string }[] })
      .StickerArray;
    expect(placed).toHaveLength(1);
    expect(placed[0].X).toBeCloseTo(0.25, 1);
    expect(placed[0].Y).toBeCloseTo(0.06, 2);
    expect(placed[0].MediaId).toMatch(/^[0-9a-f]{32}$/);
    expect((editing as unknown as { MediaConfig: object }).MediaConfig).toEqual({
      MediaMetaDataArray: [
        {
          Media: json.InputConfig.MediaGroupArray[0] && (json.InputConfig.MediaGroupArray[0] as { MediaArray: string[] }).MediaArray[0],
          TimeRangeList: [{ In: 0.5, Out: 1.5 }],
          GroupName: 'scene 1',
        },
      ],
    });

    // Preview: the plans of both videos as storyboards, with their captions and an estimate.
    await page.getByRole('button', { name: 'Preview' }).click();
    const boards = page.locator('article.storyboard');
    await expect.poll(() => boards.count(), { timeout: 60_000 }).toBe(2);
    expect(await page.getByTestId('preview-summary').textContent()).toMatch(/2 videos; the materials allow \d+ distinct sequences/);
    expect(await boards.first().locator('.shots li').count()).toBeGreaterThanOrEqual(2);
    expect(await boards.first().locator('.captions li').first().textContent()).toMatch(/Grand opening/);
    await page.screenshot({ path: join(SHOTS, 'preview-1280.png'), fullPage: true });

    // Submit, follow it to the end (server-sent events), play and download an output.
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL(/#\/jobs\/[0-9a-f]{32}$/);
    await expect.poll(() => page.getByTestId('job-status').textContent(), { timeout: 180_000, interval: 500 }).toBe('Finished');
    const videos = page.locator('ul[aria-label=outputs] video');
    await expect.poll(() => videos.count()).toBe(2);
    const played = await videos.first().evaluate(async (v: HTMLVideoElement) => {
      v.muted = true;
      await v.play();
      await new Promise((r) => setTimeout(r, 800));
      return { readyState: v.readyState, currentTime: v.currentTime, width: v.videoWidth, height: v.videoHeight };
    });
    expect(played.readyState).toBe(4);
    expect(played.currentTime).toBeGreaterThan(0.2);
    expect([played.width, played.height]).toEqual([180, 320]);
    await page.screenshot({ path: join(SHOTS, 'job-1280.png') });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download' }).first().click()]);
    const saved = join(tempDir('rs-console-dl-'), download.suggestedFilename());
    await download.saveAs(saved);
    expect(statSync(saved).size).toBeGreaterThan(1000);
    expect((await ffprobe(saved)).streams.find((s) => s.codec_type === 'video')).toMatchObject({ width: 180, height: 320 });

    const [zip] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download all (zip)' }).click()]);
    const zipFile = join(tempDir('rs-console-zip-'), zip.suggestedFilename());
    await zip.saveAs(zipFile);
    expect(readFileSync(zipFile).readUInt32LE(0)).toBe(0x04034b50);

    // Settings: the event callback, saved through the API.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Callback address').fill('http://127.0.0.1:9/ims-events');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(async () => (await page.locator('.settings [role=status], .settings [role=alert]').allTextContents()).join(' '))
      .toBe('Saved.');
    const callback = (await (
      await fetch(`${service.url}/api/v1/event-callback`, { headers: { authorization: `Bearer ${AK}:${SECRET}` } })
    ).json()) as {
      CallbackURL: string;
    };
    expect(callback.CallbackURL).toBe('http://127.0.0.1:9/ims-events');
    // An operator makes a key for someone else: its secret is shown once, and it works.
    await page.getByLabel('Description').fill('agency');
    await page.getByRole('button', { name: 'Make a key' }).click();
    const secret = await page.getByTestId('new-secret').textContent();
    const id = await page.locator('.new-key code').first().textContent();
    expect((await fetch(`${service.url}/api/v1/voices`, { headers: { authorization: `Bearer ${id}:${secret}` } })).status).toBe(200);
    await page.screenshot({ path: join(SHOTS, 'settings-1280.png'), fullPage: true });

    // Phone-sized: the same screens fit, and are shot.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SHOTS, 'job-390.png') });
    await page.getByRole('link', { name: 'Library' }).click();
    await page.getByRole('heading', { name: 'Media library' }).waitFor();
    await expect.poll(() => thumbnailsShown(page), { timeout: 30_000 }).toBe(5);
    await page.screenshot({ path: join(SHOTS, 'library-390.png') });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.getByRole('link', { name: 'Create' }).click();
    await page.screenshot({ path: join(SHOTS, 'create-390.png') });
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);
});
