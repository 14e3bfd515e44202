/**
 * Downloads of http(s) materials into a content-addressed cache: each URL is fetched once, its
 * bytes stored under their SHA-256, and later jobs reuse the file. Writes go to a temporary name
 * and are renamed when complete.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, type Stats } from 'node:fs';
import { mkdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalidParameter, materialNotFound, materialUnreadable, ReelsmithError } from '../errors.js';
import { checkPublicUrl } from './net.js';
import { shown } from '../job/raw.js';
import { presignGet, type S3Settings } from '../storage/objects.js';

/**
 * What untrusted references may reach, and how much: the CLI uses the defaults (any local path,
 * private addresses allowed); the service passes its own (no local paths unless in allowed
 * folders, public addresses only). Every limit is documented in the README.
 */
export interface AccessPolicy {
  /** Folders local paths must lie in (symlinks followed); undefined: any local path. */
  allowedDirs?: string[];
  /** Whether URLs may reach loopback/private addresses (default: allowed, for local use). */
  allowPrivate?: boolean;
  /** Largest file, local or downloaded, in bytes (default 2 GiB). */
  maxBytes?: number;
  /** A download's response headers must arrive within this (default 30 s). */
  headersTimeoutMs?: number;
  /** A download that sends nothing for this long is cut (default 30 s). */
  idleTimeoutMs?: number;
  /** A whole download must finish within this (default 10 minutes). */
  timeoutMs?: number;
  /** The S3-compatible server s3://bucket/key materials are read from (the service's storage settings). */
  s3?: S3Settings;
}

export const DEFAULT_LIMITS = { maxBytes: 2 * 1024 ** 3, headersTimeoutMs: 30_000, idleTimeoutMs: 30_000, timeoutMs: 600_000 } as const;

export interface FetchOptions extends AccessPolicy {
  cacheDir: string;
  /** What the download is cached and named by, when the URL itself is not (a pre-signed link). */
  cacheKey?: string;
  /** Delays before the retries of a transient failure (default 0.5 s, 2 s). */
  retryDelaysMs?: number[];
}

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

/** Whether `path` is `dir` or lies below it (by name). */
export const isInside = (dir: string, path: string) => {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * The local file of a material or font named by path (relative to `baseDir`), `file://` URL or
 * `http(s)://` URL (downloaded into the cache), checked against the policy: a local path outside
 * the allowed folders is refused before the disk is looked at (the answer never tells whether it
 * exists); a file that is not a regular file (a FIFO, a device, a folder) or is too large is
 * refused without being opened.
 */
export async function localFile(ref: string, baseDir: string, cacheDir: string, policy: AccessPolicy = {}): Promise<string> {
  if (/^https?:\/\//i.test(ref)) return fetchToCache(ref, { cacheDir, ...policy });
  if (/^s3:\/\//i.test(ref)) {
    // Read through a short-lived pre-signed link: the same limits, cache and retries as any download;
    // the server is the operator's own (its address is not checked as a material's would be).
    if (!policy.s3) throw invalidParameter('', `${shown(ref, 120)}: s3:// materials need the service's S3 settings (storage, s3)`);
    const link = await presignGet(ref, policy.s3, 900).catch((err: Error) => {
      throw invalidParameter('', `${shown(ref, 120)}: ${err.message}`);
    });
    return fetchToCache(link, { cacheDir, ...policy, allowPrivate: true, cacheKey: ref });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref) && !/^file:\/\//i.test(ref))
    throw invalidParameter('', `${shown(ref, 120)}: only http(s) URLs, local files and media IDs are supported`);
  let path: string;
  try {
    path = /^file:\/\//i.test(ref) ? fileURLToPath(ref) : isAbsolute(ref) ? ref : resolvePath(baseDir, ref);
  } catch {
    throw invalidParameter('', `${shown(ref, 120)} is not a valid file URL`);
  }
  if (policy.allowedDirs) {
    const allowed = policy.allowedDirs.map((d) => resolvePath(d));
    const refused = () =>
      invalidParameter(
        '',
        `${shown(ref, 120)}: local files are not accepted here (use http(s) URLs or media IDs; an operator may allow folders with allowedMediaDirs)`,
      );
    if (!allowed.some((d) => isInside(d, resolvePath(path)))) throw refused();
    // Inside an allowed folder by name: its real path must be too (no symlink out of it).
    const real = await realpath(path).catch(() => undefined);
    if (!real) throw materialNotFound(ref, 'no such file');
    const realAllowed = await Promise.all(allowed.map((d) => realpath(d).catch(() => d)));
    if (!realAllowed.some((d) => isInside(d, real))) throw refused();
    path = real;
  }
  await checkRegularFile(path, ref, policy.maxBytes ?? DEFAULT_LIMITS.maxBytes);
  return path;
}

/** Refuses, without opening it, what is not a regular file of at most `maxBytes`. */
export async function checkRegularFile(path: string, ref: string, maxBytes: number): Promise<void> {
  let st: Stats;
  try {
    st = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw materialNotFound(ref, `no file at ${path}`);
    throw materialUnreadable(
      ref,
      code === 'EACCES' ? `${path} cannot be read (permission denied)` : `${path} cannot be read (${code ?? 'error'})`,
    );
  }
  if (st.isDirectory()) throw materialUnreadable(ref, `${path} is a folder, not a file`);
  if (!st.isFile()) throw materialUnreadable(ref, `${path} is not a regular file (a FIFO, socket or device)`);
  if (st.size > maxBytes) throw materialUnreadable(ref, `${path} is ${st.size} bytes; the limit is ${maxBytes}`);
  if (st.size === 0) throw materialUnreadable(ref, `${path} is empty`);
}

/** Waits before each retry of a transient failure (5xx, 429, network): then it gives up. */
const RETRY_DELAYS_MS = [500, 2000];

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
      if (!(err instanceof ReelsmithError && err.transient) || attempt >= delays.length) throw err;
      await new Promise((r) => setTimeout(r, delays[attempt]));
    }
  }
}

async function downloadOnce(url: string, opts: FetchOptions): Promise<string> {
  // What the download is known by (a pre-signed link's signature stays out of caches and messages).
  const name = opts.cacheKey ?? url;
  const dir = join(opts.cacheDir, 'downloads');
  await mkdir(dir, { recursive: true });
  const indexFile = join(dir, `url-${sha256(name)}.json`);
  if (existsSync(indexFile)) {
    const { file } = JSON.parse(await readFile(indexFile, 'utf8')) as { file: string };
    if (existsSync(join(dir, file))) return join(dir, file);
  }
  const tmp = join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  const max = opts.maxBytes ?? DEFAULT_LIMITS.maxBytes;
  const headersMs = opts.headersTimeoutMs ?? DEFAULT_LIMITS.headersTimeoutMs;
  const idleMs = opts.idleTimeoutMs ?? DEFAULT_LIMITS.idleTimeoutMs;
  const totalMs = opts.timeoutMs ?? DEFAULT_LIMITS.timeoutMs;
  // One controller cuts the download for any of the time limits; `cut` says which one.
  const ac = new AbortController();
  let cut: string | undefined;
  const stop = (why: string) => () => {
    cut = why;
    ac.abort(new Error(why));
  };
  const total = setTimeout(stop(`the download took longer than ${totalMs / 1000} s`), totalMs);
  let idle = setTimeout(stop(`no response within ${headersMs / 1000} s`), headersMs);
  const stillSending = () => {
    clearTimeout(idle);
    idle = setTimeout(stop(`nothing received for ${idleMs / 1000} s`), idleMs);
  };
  try {
    let res: Response;
    try {
      // Redirects are followed by hand, so that every hop passes the address check.
      let at = url;
      for (let hop = 0; ; hop++) {
        try {
          await checkPublicUrl(at, opts.allowPrivate ?? true);
        } catch (err) {
          throw invalidParameter('', `material ${shown(name, 120)} refused: ${(err as Error).message}`);
        }
        res = await fetch(at, { signal: ac.signal, redirect: 'manual' });
        const next = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
        if (!next) break;
        if (hop >= 5) throw new Error('too many redirects');
        await res.body?.cancel();
        at = new URL(next, at).toString();
      }
    } catch (err) {
      if (err instanceof ReelsmithError) throw err;
      if (cut) throw materialUnreadable(name, `download cut: ${cut}`);
      throw materialNotFound(
        url,
        `download failed (${(err as Error).cause ? String((err as Error & { cause: Error }).cause.message ?? (err as Error).cause) : (err as Error).message})`,
        { transient: true },
      );
    }
    stillSending();
    if (res.status >= 500 || res.status === 429) throw materialUnreadable(name, `HTTP ${res.status}`, { transient: true });
    if (res.status === 404 || res.status === 410) throw materialNotFound(name, `HTTP ${res.status}`);
    if (!res.ok || !res.body) throw materialUnreadable(name, `HTTP ${res.status}`);
    // A size announced beyond the limit is refused before any of the body is read.
    const announced = Number(res.headers.get('content-length') ?? Number.NaN);
    if (announced > max) {
      await res.body.cancel().catch(() => {});
      throw materialUnreadable(name, `announces ${announced} bytes; the limit is ${max}`);
    }
    let tooLarge = false;
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > max) {
          tooLarge = true;
          throw new Error(`larger than the limit of ${max} bytes`);
        }
        stillSending();
        hash.update(chunk);
        controller.enqueue(chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(res.body.pipeThrough(counter) as never), createWriteStream(tmp));
    } catch (err) {
      if (cut) throw materialUnreadable(name, `download cut: ${cut}`);
      // Too large is final; an interrupted transfer is worth another try.
      throw materialUnreadable(name, `download interrupted (${(err as Error).message})`, { transient: !tooLarge });
    }
    const ext = extname(new URL(name.replace(/^s3:/i, 'https:')).pathname)
      .slice(0, 8)
      .toLowerCase()
      .replace(/[^.a-z0-9]/g, '');
    const file = `${hash.digest('hex')}${ext}`;
    await rename(tmp, join(dir, file));
    await writeFile(indexFile, JSON.stringify({ url: name, file, size }));
    return join(dir, file);
  } finally {
    clearTimeout(total);
    clearTimeout(idle);
    await rm(tmp, { force: true });
  }
}
