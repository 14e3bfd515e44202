/**
 * Downloads of http(s) materials into a content-addressed cache: each URL is fetched once, its
 * bytes stored under their SHA-256, and later jobs reuse the file. Writes go to a temporary name
 * and are renamed when complete.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { extname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { materialNotFound, materialUnreadable, ReelsmithError } from '../errors.js';
import { checkPublicUrl, privateUrlsAllowed } from './net.js';

export interface FetchOptions {
  cacheDir: string;
  timeoutMs?: number;
  maxBytes?: number;
  /** Delays before the retries of a transient failure (default 0.5 s, 2 s). */
  retryDelaysMs?: number[];
}

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

/**
 * The local file of a material or font named by path (relative to `baseDir`), `file://` URL or
 * `http(s)://` URL (downloaded into the cache).
 */
export async function localFile(ref: string, baseDir: string, cacheDir: string): Promise<string> {
  if (/^https?:\/\//i.test(ref)) return fetchToCache(ref, { cacheDir });
  if (/^file:\/\//i.test(ref)) return fileURLToPath(ref);
  return isAbsolute(ref) ? ref : resolvePath(baseDir, ref);
}

/** Waits before each retry of a transient failure (5xx, 429, network): then it gives up. */
const RETRY_DELAYS_MS = [500, 2000];

const transient = <E extends Error>(e: E): E => Object.assign(e, { transient: true });

/**
 * Downloads a URL into the cache (content-addressed; a URL already fetched is not fetched again).
 * Transient failures (HTTP 5xx or 429, network errors, interrupted transfers) are retried with
 * backoff; a missing file (404/410), a refused address or any other answer is not.
 */
export async function fetchToCache(url: string, opts: FetchOptions): Promise<string> {
  const delays = opts.retryDelaysMs ?? RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await downloadOnce(url, opts);
    } catch (err) {
      if (!(err as { transient?: boolean }).transient || attempt >= delays.length) throw err;
      await new Promise((r) => setTimeout(r, delays[attempt]));
    }
  }
}

async function downloadOnce(url: string, opts: FetchOptions): Promise<string> {
  const dir = join(opts.cacheDir, 'downloads');
  await mkdir(dir, { recursive: true });
  const indexFile = join(dir, `url-${sha256(url)}.json`);
  if (existsSync(indexFile)) {
    const { file } = JSON.parse(await readFile(indexFile, 'utf8')) as { file: string };
    if (existsSync(join(dir, file))) return join(dir, file);
  }
  const tmp = join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  const max = opts.maxBytes ?? 2 * 1024 ** 3;
  try {
    let res: Response;
    try {
      // Redirects are followed by hand, so that every hop passes the address check.
      let at = url;
      for (let hop = 0; ; hop++) {
        try {
          await checkPublicUrl(at, privateUrlsAllowed());
        } catch (err) {
          throw materialNotFound(url, (err as Error).message);
        }
        res = await fetch(at, { signal: AbortSignal.timeout(opts.timeoutMs ?? 120_000), redirect: 'manual' });
        const next = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
        if (!next) break;
        if (hop >= 5) throw new Error('too many redirects');
        await res.body?.cancel();
        at = new URL(next, at).toString();
      }
    } catch (err) {
      if (err instanceof ReelsmithError) throw err;
      throw transient(materialNotFound(url, `download failed (${(err as Error).cause ? String((err as Error & { cause: Error }).cause.message ?? (err as Error).cause) : (err as Error).message})`));
    }
    if (res.status >= 500 || res.status === 429) throw transient(materialUnreadable(url, `HTTP ${res.status}`));
    if (res.status === 404 || res.status === 410) throw materialNotFound(url, `HTTP ${res.status}`);
    if (!res.ok || !res.body) throw materialUnreadable(url, `HTTP ${res.status}`);
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > max) throw new Error(`larger than ${max} bytes`);
        hash.update(chunk);
        controller.enqueue(chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(res.body.pipeThrough(counter) as never), createWriteStream(tmp));
    } catch (err) {
      const e = materialUnreadable(url, `download interrupted (${(err as Error).message})`);
      throw /larger than/.test((err as Error).message) ? e : transient(e);
    }
    const ext = extname(new URL(url).pathname).slice(0, 8).toLowerCase();
    const file = `${hash.digest('hex')}${ext}`;
    await rename(tmp, join(dir, file));
    await writeFile(indexFile, JSON.stringify({ url, file, size }));
    return join(dir, file);
  } finally {
    await rm(tmp, { force: true });
  }
}
