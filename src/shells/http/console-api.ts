/**
 * What the web console needs from the API, usable by any client and described in the OpenAPI
 * document: uploads with progress (a raw body, streamed to disk), thumbnails of library media, a
 * job's progress as server-sent events, validation of a job without submitting it, and a spoken
 * sample of a voice.
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ZipFile } from 'yazl';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createError, JobValidationError, ReelsmithError } from '../../errors.js';
import type { MediaLibrary, MediaRecord } from '../../media/library.js';
import type { JobStore } from '../../service/store.js';
import type { SpeechEngine } from '../../speech/engine.js';
import { EspeakEngine } from '../../speech/espeak.js';
import { SpeechSynthesizer } from '../../speech/synth.js';
import { findVoice } from '../../speech/voices.js';
import { runTool } from '../../util/tool.js';
import type { Prepared } from '../../batch/produce.js';
import { storyboard } from '../../batch/storyboard.js';
import type { ParsedJob } from '../../job/job.js';
import { planSeed } from '../../service/store.js';
import type { AccessKeys } from '../../service/keys.js';
import { MUSIC_STYLES, SPEECH_STYLES } from '../../job/catalogue.js';
import { MusicLibrary } from '../../media/music.js';

export interface ConsoleApiOptions {
  /** Checks the caller's key (Bearer); throws when it is not one. */
  auth: (req: FastifyRequest) => string;
  respond: (req: FastifyRequest, reply: FastifyReply, work: () => Promise<object>, status?: number) => Promise<unknown>;
  library: MediaLibrary;
  store: JobStore;
  cacheDir: string;
  /** A job as answered (links signed anew). */
  present?: <J extends { SubJobList: import('../../batch/manifest.js').SubJob[] }>(job: J) => Promise<J>;
  /** A job checked as a submission is (throws JobValidationError naming the fields). */
  check: (p: { InputConfig: string; EditingConfig: string; OutputConfig: string; UserData?: string }) => ParsedJob;
  /** A job prepared as its renders would be (materials, speech, plans). */
  prepareJob?: (parsed: ParsedJob, seed: string) => Promise<Prepared>;
  /** Largest upload, bytes (default 2 GiB). */
  maxUploadBytes?: number;
  engine?: SpeechEngine;
  /** The library record as IMS shows it. */
  mediaInfo: (r: MediaRecord) => object;
  /** Renders a failed output of a finished job once more (throws when it is not one). */
  rerender: (jobId: string, index: number) => Promise<void>;
  /** Draws a transition's or an effect's contact strip into a PNG (batch/preview.ts). */
  strip?: (kind: 'transition' | 'effect', name: string, outPng: string) => Promise<void>;
  /** Draws a caption in a job's caption style on a still (batch/preview.ts). */
  captionStill?: (c: { text: string; asrConfig: unknown; voice?: string; width: number; height: number }, outPng: string) => Promise<void>;
  /** The catalogue's names (a strip is drawn only for one of them). */
  catalogue?: { transitions: readonly string[]; effects: readonly string[] };
  /** Where outputs are (<outputsDir>/<JobId>/<file>), for zips. */
  outputsDir?: string;
  /** Access keys made by operators (the configuration's keys are the operators'). */
  accessKeys?: AccessKeys;
  /** What the live workers render at once and how fast (estimates); absent or undefined: this process. */
  capacity?: () => Promise<{ parallel: number; rate?: number } | undefined>;
  /** The music library (by style) uploads with a musicStyle join. */
  musicDir?: string;
  /** The console's password sign-in: the password and the key (id, secret) it gives. */
  consoleSignIn?: { password: string; keyId: string; secret: string };
  /** The secret media links are signed with (shared by every process of the service: its database's). */
  linkSecret?: () => Promise<string>;
  /** Seconds between looks at a job for its event stream (default 1). */
  eventEverySeconds?: number;
}

/** A config given as an object or as the JSON string IMS takes. */
const asString = (v: unknown) => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));

export function registerConsoleApi(app: FastifyInstance, o: ConsoleApiOptions): void {
  /** An uploaded file into the library (and the music library with a style); refusals leave nothing. */
  const file = async (path: string, name: string, m: { title?: string; description?: string; tags?: string[]; musicStyle?: string }) => {
    const rec = await o.library
      .add(path, { title: m.title || name.replace(/\.[^.]*$/, ''), description: m.description ?? '', tags: m.tags ?? [] })
      .catch((err: Error) => {
        throw new ReelsmithError('InvalidMaterial.Unreadable', `${name}: not a video, image or audio file FFmpeg can read`, undefined, {
          detail: err.message,
        });
      });
    // Music with a style also joins the music library (BackgroundMusicConfig.Style draws from it).
    if (m.musicStyle) {
      if (rec.kind !== 'audio') {
        // Refused whole: not left in the library either.
        await o.library.remove(rec.id);
        throw new ReelsmithError('InvalidParameter', `musicStyle: ${name} is ${rec.kind}, not music`);
      }
      if (o.musicDir) await new MusicLibrary(o.musicDir).add(path, m.musicStyle);
    }
    return { MediaId: rec.id, MediaInfo: o.mediaInfo(rec), ...(m.musicStyle ? { MusicStyle: m.musicStyle } : {}) };
  };
  const checkStyle = (style: string | undefined) => {
    if (style && !(MUSIC_STYLES as readonly string[]).includes(style))
      throw new ReelsmithError(
        'InvalidParameter',
        `musicStyle: unknown music style "${style.slice(0, 40)}"; valid: ${MUSIC_STYLES.join(', ')}`,
      );
  };
  const maxUpload = o.maxUploadBytes ?? 2 * 1024 ** 3;
  // Uploads: the body as it comes (any type), streamed to a temporary file, then into the library.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    scope.put('/api/v1/media/upload', { bodyLimit: maxUpload }, (req, reply) =>
      o.respond(
        req,
        reply,
        async () => {
          const body = req.body as Readable;
          const tooLarge = () => new ReelsmithError('InvalidParameter', `the upload is larger than ${maxUpload} bytes (maxUploadBytes)`);
          // Refused before its body is read: said at once, and the connection closed (not read to its end).
          if (Number(req.headers['content-length']) > maxUpload) {
            reply.header('connection', 'close');
            throw tooLarge();
          }
          const q = req.query as Record<string, string | undefined>;
          try {
            o.auth(req);
            checkStyle(q.musicStyle);
          } catch (err) {
            // The body of a request refused is read and dropped, so that the answer reaches the client.
            await new Promise((done) => {
              body.on('end', done).on('error', done).on('close', done).resume();
            });
            throw err;
          }
          const name =
            (q.name ?? 'upload')
              .replace(/[/\\\0]/g, '_')
              .replace(/^\.+/, '_')
              .slice(0, 200) || 'upload';
          // Under its own name in a folder of its own (the music library keeps the name).
          const dir = join(o.cacheDir, 'uploads', randomUUID());
          await mkdir(dir, { recursive: true });
          const tmp = join(dir, name);
          let bytes = 0;
          const limit = new Transform({
            transform(chunk: Buffer, _enc, cb) {
              bytes += chunk.length;
              if (bytes > maxUpload) {
                reply.header('connection', 'close');
                cb(tooLarge());
              } else cb(null, chunk);
            },
          });
          try {
            await pipeline(body, limit, createWriteStream(tmp));
            if ((await stat(tmp)).size === 0) throw new ReelsmithError('InvalidParameter', `${name}: the upload is empty`);
            return await file(tmp, name, {
              title: q.title,
              description: q.description,
              tags: q.tags ? q.tags.split(',').map((t) => t.trim()) : [],
              musicStyle: q.musicStyle,
            });
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        },
        201,
      ),
    );
  });

  // Resumable uploads, in pieces: made with the file's name and size, then pieces PATCHed at the
  // offset the service has (a piece at another offset is refused with the offset to resume from),
  // the file joining the library when its last byte arrives. Unfinished uploads go after a day.
  const pieces = join(o.cacheDir, 'uploads', 'resumable');
  /** Uploads a piece of which is being received (one at a time each). */
  const receiving = new Set<string>();
  const uploadDir = (id: string) => {
    if (!/^[0-9a-f]{32}$/.test(id)) throw new ReelsmithError('InvalidParameter', 'no such upload');
    return join(pieces, id);
  };
  const uploadState = async (id: string) => {
    const dir = uploadDir(id);
    const meta = JSON.parse(
      await readFile(join(dir, 'upload.json'), 'utf8').catch(() => {
        throw new ReelsmithError('InvalidParameter', 'no such upload (finished, or more than a day old)');
      }),
    ) as { name: string; size: number; title?: string; musicStyle?: string };
    const file = join(dir, 'data');
    const offset = await stat(file).then(
      (x) => x.size,
      () => 0,
    );
    return { dir, file, meta, offset };
  };
  app.post('/api/v1/media/uploads', (req, reply) =>
    o.respond(
      req,
      reply,
      async () => {
        o.auth(req);
        const b = (req.body ?? {}) as { Name?: unknown; Size?: unknown; Title?: unknown; MusicStyle?: unknown };
        const musicStyle = typeof b.MusicStyle === 'string' && b.MusicStyle ? b.MusicStyle : undefined;
        checkStyle(musicStyle);
        const size = Number(b.Size);
        if (!Number.isSafeInteger(size) || size <= 0) throw new ReelsmithError('InvalidParameter', 'Size: the file size in bytes', 'Size');
        if (size > maxUpload)
          throw new ReelsmithError('InvalidParameter', `the upload is larger than ${maxUpload} bytes (maxUploadBytes)`, 'Size');
        const name =
          String(b.Name ?? 'upload')
            .replace(/[/\\\0]/g, '_')
            .replace(/^\.+/, '_')
            .slice(0, 200) || 'upload';
        await mkdir(pieces, { recursive: true });
        // Uploads left unfinished for a day go.
        for (const d of await readdir(pieces).catch(() => [] as string[])) {
          const age = await stat(join(pieces, d)).then(
            (x) => Date.now() - x.mtimeMs,
            () => 0,
          );
          if (age > 24 * 3600_000) await rm(join(pieces, d), { recursive: true, force: true });
        }
        const id = randomUUID().replace(/-/g, '');
        await mkdir(join(pieces, id));
        await writeFile(
          join(pieces, id, 'upload.json'),
          JSON.stringify({ name, size, title: typeof b.Title === 'string' ? b.Title : undefined, musicStyle }),
        );
        return { UploadId: id, Offset: 0, Size: size };
      },
      201,
    ),
  );
  app.get('/api/v1/media/uploads/:id', (req, reply) =>
    o.respond(req, reply, async () => {
      o.auth(req);
      const u = await uploadState((req.params as { id: string }).id);
      return { UploadId: (req.params as { id: string }).id, Offset: u.offset, Size: u.meta.size };
    }),
  );
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    scope.patch('/api/v1/media/uploads/:id', { bodyLimit: maxUpload }, (req, reply) =>
      o.respond(req, reply, async () => {
        const body = req.body as Readable;
        const drain = () => new Promise((done) => body.on('end', done).on('error', done).on('close', done).resume());
        const id = (req.params as { id: string }).id;
        let u: Awaited<ReturnType<typeof uploadState>>;
        try {
          o.auth(req);
          if (receiving.has(id))
            throw new ReelsmithError(
              'InvalidParameter',
              'a piece of this upload is being received; ask for its offset and send from there',
            );
          u = await uploadState(id);
          const at = Number(req.headers['upload-offset']);
          if (at !== u.offset)
            throw new ReelsmithError(
              'InvalidParameter',
              `Upload-Offset: the service has ${u.offset} bytes of this upload; send from there`,
            );
        } catch (err) {
          await drain();
          throw err;
        }
        // The piece is appended as it comes; a piece cut off keeps what arrived (resumed from there).
        receiving.add(id);
        let bytes = u.offset;
        const limit = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            bytes += chunk.length;
            if (bytes > u.meta.size)
              cb(new ReelsmithError('InvalidParameter', `the upload is larger than the ${u.meta.size} bytes announced`));
            else cb(null, chunk);
          },
        });
        try {
          await pipeline(body, limit, createWriteStream(u.file, { flags: 'a' }));
        } finally {
          receiving.delete(id);
        }
        if (bytes < u.meta.size) return { UploadId: id, Offset: bytes, Size: u.meta.size };
        // Complete: into the library under its name.
        const named = join(u.dir, u.meta.name);
        await rename(u.file, named);
        try {
          return {
            UploadId: id,
            Offset: bytes,
            Size: u.meta.size,
            ...(await file(named, u.meta.name, { title: u.meta.title, musicStyle: u.meta.musicStyle })),
          };
        } finally {
          await rm(u.dir, { recursive: true, force: true });
        }
      }),
    );
  });

  // Thumbnails: a frame of a video, the image scaled, the waveform of audio (JPEG/PNG, cached).
  app.get('/api/v1/media/:id/thumbnail', async (req, reply) => {
    o.auth(req);
    const rec = await o.library.get((req.params as { id: string }).id);
    if (!rec) throw new ReelsmithError('InvalidParameter', 'no such media in the library');
    const dir = join(o.cacheDir, 'thumbnails');
    await mkdir(dir, { recursive: true });
    const out = join(dir, `${rec.id}.${rec.kind === 'audio' ? 'png' : 'jpg'}`);
    const exists = await stat(out).then(
      () => true,
      () => false,
    );
    if (!exists) {
      const at = rec.kind === 'video' ? Math.min(1, (rec.duration ?? 0) / 3) : 0;
      const args =
        rec.kind === 'audio'
          ? ['-i', rec.file, '-filter_complex', 'showwavespic=s=320x120:colors=0x3b82f6', '-frames:v', '1']
          : ['-ss', String(at), '-i', rec.file, '-vf', 'scale=320:320:force_original_aspect_ratio=decrease', '-frames:v', '1'];
      const tmp = `${out}.${randomUUID()}.part${rec.kind === 'audio' ? '.png' : '.jpg'}`;
      await runTool('ffmpeg', ['-v', 'error', '-y', ...args, tmp], { timeoutMs: 30_000 });
      await rename(tmp, out);
    }
    return reply
      .type(rec.kind === 'audio' ? 'image/png' : 'image/jpeg')
      .header('cache-control', 'private, max-age=86400')
      .send(await readFile(out));
  });

  // A job's progress as server-sent events: `job` with the whole job on each change, until it ends.
  app.get('/api/v1/jobs/:id/events', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    o.auth(req);
    if (!(await o.store.get(id))) throw createError('InvalidParameter.JobNotFound', id);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let closed = false;
    req.raw.on('close', () => {
      closed = true;
    });
    let last = '';
    while (!closed) {
      const job = await o.store.get(id).catch(() => undefined);
      if (job) {
        const shown = o.present ? await o.present(job) : job;
        // Compared without the links (signed anew each time): an event only when something changed.
        const key = JSON.stringify({ ...shown, SubJobList: shown.SubJobList.map((s) => ({ ...s, MediaURL: '' })) });
        if (key !== last) {
          last = key;
          res.write(`event: job\ndata: ${JSON.stringify(shown)}\n\n`);
        }
        if (job.Status === 'Finished' || job.Status === 'Failed') break;
      } else res.write(': waiting for the database\n\n');
      await new Promise((r) => setTimeout(r, (o.eventEverySeconds ?? 1) * 1000));
    }
    res.end();
  });

  // A job checked as a submission would be, without submitting it: every problem with its field.
  app.post('/api/v1/jobs/validate', (req, reply) =>
    o.respond(req, reply, async () => {
      o.auth(req);
      const b = (req.body ?? {}) as Record<string, unknown>;
      try {
        const { warnings } = o.check({
          InputConfig: asString(b.InputConfig),
          EditingConfig: asString(b.EditingConfig),
          OutputConfig: asString(b.OutputConfig),
          ...(b.UserData !== undefined ? { UserData: asString(b.UserData) } : {}),
        });
        return { Valid: true, Issues: [], Warnings: warnings };
      } catch (err) {
        if (err instanceof JobValidationError)
          return { Valid: false, Issues: err.issues.map((i) => ({ Path: i.path, Reason: i.reason })), Warnings: [] };
        if (err instanceof ReelsmithError && err.status < 500)
          return { Valid: false, Issues: [{ Path: '', Reason: err.message }], Warnings: [] };
        throw err;
      }
    }),
  );

  // The plans of the first outputs as storyboards, before submitting: with the ClientToken the job
  // will be submitted with, they are the very plans it makes (its seed).
  app.post('/api/v1/jobs/preview', (req, reply) =>
    o.respond(req, reply, async () => {
      o.auth(req);
      if (!o.prepareJob) throw new ReelsmithError('InvalidParameter', 'previews are not available on this service');
      const b = (req.body ?? {}) as Record<string, unknown>;
      const parsed = o.check({
        InputConfig: asString(b.InputConfig),
        EditingConfig: asString(b.EditingConfig),
        OutputConfig: asString(b.OutputConfig),
        ...(b.UserData !== undefined ? { UserData: asString(b.UserData) } : {}),
      });
      const token = typeof b.ClientToken === 'string' && b.ClientToken ? b.ClientToken : undefined;
      const outputs = Math.min(10, Math.max(1, Number(b.Outputs ?? 3) || 3));
      const prepared = await o.prepareJob(parsed, planSeed(randomUUID().replace(/-/g, ''), token));
      // On the workers' measured speed and number of renders at once when there are workers.
      const cap = await o.capacity?.();
      return storyboard(prepared, { outputs, parallel: cap?.parallel, rate: cap?.rate });
    }),
  );

  // Every successful output of a job in one zip (stored, not compressed: MP4 does not shrink),
  // streamed as it is read: from the data folder, else from its download link (a bucket).
  app.get('/api/v1/jobs/:id/outputs.zip', async (req, reply) => {
    o.auth(req);
    const id = (req.params as { id: string }).id;
    const job = await o.store.get(id);
    if (!job) throw createError('InvalidParameter.JobNotFound', id);
    const shown = o.present ? await o.present(job) : job;
    const zip = new ZipFile();
    const names = new Set<string>();
    for (const [k, s] of shown.SubJobList.entries()) {
      if (s.Status !== 'Success') continue;
      let name = basename(decodeURIComponent(new URL(s.MediaURL, 'http://x/').pathname)) || `output_${k}.mp4`;
      if (names.has(name)) name = `${k}_${name}`;
      names.add(name);
      const local = o.outputsDir ? join(o.outputsDir, id, name) : undefined;
      if (local && existsSync(local)) zip.addFile(local, name, { compress: false });
      else {
        const r = await fetch(s.MediaURL);
        if (!r.ok || !r.body) throw new ReelsmithError('Internal', `output ${k} could not be read (${r.status})`);
        zip.addReadStream(Readable.fromWeb(r.body as never), name, { compress: false });
      }
    }
    zip.end();
    return reply.type('application/zip').header('content-disposition', `attachment; filename="${id}.zip"`).send(zip.outputStream);
  });

  // A failed output rendered once more (its job's plans: the same seed); the job is Processing
  // until it is done, then complete again (its callback sent again).
  app.post('/api/v1/jobs/:id/outputs/:index/render', (req, reply) =>
    o.respond(
      req,
      reply,
      async () => {
        o.auth(req);
        const p = req.params as { id: string; index: string };
        if (!(await o.store.get(p.id))) throw createError('InvalidParameter.JobNotFound', p.id);
        const index = Number(p.index);
        if (!Number.isInteger(index) || index < 0) throw new ReelsmithError('InvalidParameter', 'index: an output index from 0');
        await o.rerender(p.id, index);
        return { JobId: p.id };
      },
      202,
    ),
  );

  // What a transition or an effect looks like: frames across it on two sample clips, drawn once
  // (one at a time: each is a small render) and kept in the cache.
  let drawing: Promise<unknown> = Promise.resolve();
  app.get('/api/v1/previews/:kind/:name', async (req, reply) => {
    o.auth(req);
    const p = req.params as { kind: string; name: string };
    const name = p.name.replace(/\.png$/, '');
    const kind = p.kind === 'transitions' ? 'transition' : p.kind === 'effects' ? 'effect' : undefined;
    const known = kind === 'transition' ? o.catalogue?.transitions : kind === 'effect' ? o.catalogue?.effects : undefined;
    if (!kind || !o.strip || !known?.includes(name))
      throw new ReelsmithError('InvalidParameter', `no ${kind ?? 'preview kind'} named ${JSON.stringify(name).slice(0, 80)}`);
    const dir = join(o.cacheDir, 'strips');
    await mkdir(dir, { recursive: true });
    const out = join(dir, `${kind}-${name}.png`);
    if (!existsSync(out)) {
      const strip = o.strip;
      const run = drawing.then(async () => {
        if (existsSync(out)) return;
        const tmp = `${out}.${randomUUID()}.png`;
        await strip(kind, name, tmp);
        await rename(tmp, out);
      });
      drawing = run.catch(() => {});
      await run;
    }
    return reply
      .type('image/png')
      .header('cache-control', 'private, max-age=86400')
      .send(await readFile(out));
  });

  // Library media played in a page (the console's in/out picker): a link signed for an hour, so
  // that a <video> element, which sends no key, may fetch it; served with range requests.
  const sign = async (id: string, expires: number) =>
    createHmac('sha256', (await o.linkSecret?.()) ?? '')
      .update(`${id}:${expires}`)
      .digest('hex');
  app.get('/api/v1/media/:id/link', (req, reply) =>
    o.respond(req, reply, async () => {
      o.auth(req);
      const id = (req.params as { id: string }).id;
      if (!o.linkSecret || !(await o.library.get(id))) throw new ReelsmithError('InvalidParameter', 'no such media in the library');
      const expires = Math.floor(Date.now() / 1000) + 3600;
      return { URL: `/media-files/${id}?expires=${expires}&signature=${await sign(id, expires)}`, Expires: expires };
    }),
  );
  app.get('/media-files/:id', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const q = req.query as { expires?: string; signature?: string };
    const expires = Number(q.expires);
    const expected = Buffer.from(await sign(id, expires));
    const given = Buffer.from(String(q.signature ?? ''));
    if (!o.linkSecret || !(expires > Date.now() / 1000) || given.length !== expected.length || !timingSafeEqual(given, expected))
      throw createError('Unauthorized');
    const rec = await o.library.get(id);
    if (!rec) throw new ReelsmithError('InvalidParameter', 'no such media in the library');
    const size = (await stat(rec.file)).size;
    const type = rec.kind === 'video' ? 'video/mp4' : rec.kind === 'audio' ? 'audio/mpeg' : 'image/*';
    reply.header('accept-ranges', 'bytes').header('cache-control', 'private, max-age=3600').type(type);
    const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
    if (range && (range[1] || range[2])) {
      const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
      const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start > end || start >= size) return reply.code(416).header('content-range', `bytes */${size}`).send();
      return reply
        .code(206)
        .header('content-range', `bytes ${start}-${end}/${size}`)
        .header('content-length', end - start + 1)
        .send(createReadStream(rec.file, { start, end }));
    }
    return reply.header('content-length', size).send(createReadStream(rec.file));
  });

  // A caption in a job's caption style and animation, drawn by the render on a still (PNG).
  app.post('/api/v1/previews/caption', async (req, reply) => {
    o.auth(req);
    if (!o.captionStill) throw new ReelsmithError('InvalidParameter', 'caption previews are not available on this service');
    const b = (req.body ?? {}) as { Text?: unknown; AsrConfig?: unknown; Voice?: unknown; Width?: unknown; Height?: unknown };
    const text = String(b.Text ?? '').trim() || 'A caption looks like this.';
    if (text.length > 200) throw new ReelsmithError('InvalidParameter', 'Text: at most 200 characters');
    const width = Number(b.Width ?? 1080);
    const height = Number(b.Height ?? 1920);
    if (!(width >= 128 && width <= 4096 && height >= 128 && height <= 4096))
      throw new ReelsmithError('InvalidParameter', 'Width, Height: from 128 to 4096');
    const out = join(o.cacheDir, `caption-${randomUUID()}.png`);
    try {
      const still = o.captionStill;
      const run = drawing.then(() =>
        still({ text, asrConfig: b.AsrConfig, voice: typeof b.Voice === 'string' ? b.Voice : undefined, width, height }, out),
      );
      drawing = run.catch(() => {});
      await run;
      return reply.type('image/png').send(await readFile(out));
    } finally {
      await rm(out, { force: true });
    }
  });

  // The console's password sign-in (when configured): the key the console then uses, as any
  // client would. Failures are counted per address: five in ten minutes, then refused for a while.
  const failures = new Map<string, number[]>();
  app.post('/api/v1/console/sign-in', (req, reply) =>
    o.respond(req, reply, async () => {
      const c = o.consoleSignIn;
      if (!c) throw new ReelsmithError('InvalidParameter', 'no console password is configured on this service: sign in with an access key');
      const now = Date.now();
      const recent = (failures.get(req.ip) ?? []).filter((t) => now - t < 10 * 60_000);
      if (recent.length >= 5) throw new ReelsmithError('Throttling.User', 'too many wrong passwords; try again in a few minutes');
      const given = createHash('sha256')
        .update(String((req.body as { Password?: unknown } | undefined)?.Password ?? ''))
        .digest();
      const expected = createHash('sha256').update(c.password).digest();
      if (!timingSafeEqual(given, expected)) {
        failures.set(req.ip, [...recent, now]);
        throw createError('Unauthorized');
      }
      failures.delete(req.ip);
      return { AccessKeyId: c.keyId, AccessKeySecret: c.secret };
    }),
  );

  // Access keys, for operators (the keys of the configuration): listed without their secrets,
  // made (the secret shown once), deleted.
  const operator = (req: FastifyRequest) => {
    const id = o.auth(req);
    if (!o.accessKeys?.operators.has(id)) throw createError('Forbidden', 'only the keys of the configuration manage access keys');
    return o.accessKeys;
  };
  app.get('/api/v1/access-keys', (req, reply) => o.respond(req, reply, async () => ({ AccessKeys: await operator(req).list() })));
  app.post('/api/v1/access-keys', (req, reply) =>
    o.respond(
      req,
      reply,
      async () => {
        const keys = operator(req);
        const b = (req.body ?? {}) as { Description?: unknown; UserId?: unknown };
        const description = String(b.Description ?? '').slice(0, 200);
        const userId = b.UserId === undefined || b.UserId === '' ? undefined : Number(b.UserId);
        if (userId !== undefined && !(Number.isSafeInteger(userId) && userId >= 0))
          throw new ReelsmithError('InvalidParameter', 'UserId: a whole number from 0', 'UserId');
        return keys.create({ description, userId });
      },
      201,
    ),
  );
  app.delete('/api/v1/access-keys/:id', (req, reply) =>
    o.respond(req, reply, async () => {
      const keys = operator(req);
      const id = (req.params as { id: string }).id;
      if (keys.operators.has(id)) throw new ReelsmithError('InvalidParameter', `${id} is a key of the configuration: change it there`);
      if (!(await keys.remove(id))) throw createError('InvalidAccessKeyId.NotFound');
      return { AccessKeyId: id };
    }),
  );

  // A voice speaking a sample line (the console's "listen"), as WAV.
  const synth = new SpeechSynthesizer(o.engine ?? new EspeakEngine(), o.cacheDir);
  app.post('/api/v1/voices/sample', async (req, reply) => {
    o.auth(req);
    {
      const b = (req.body ?? {}) as { Voice?: string; SpeechRate?: number; Text?: string; Style?: string };
      const voice = findVoice(String(b.Voice ?? ''));
      if (!voice) throw new ReelsmithError('InvalidParameter', `Voice: unknown voice "${String(b.Voice ?? '')}"`);
      const text =
        String(b.Text ?? '').trim() || (voice.language.startsWith('en') ? 'Hello, this is how I sound.' : '你好，这是我的声音。');
      if (text.length > 300) throw new ReelsmithError('InvalidParameter', 'Text: at most 300 characters');
      const rate = Number(b.SpeechRate ?? 0);
      if (!Number.isInteger(rate) || rate < -500 || rate > 500)
        throw new ReelsmithError('InvalidParameter', 'SpeechRate: an integer from -500 to 500');
      const style = b.Style ? SPEECH_STYLES.find((x) => x.toLowerCase() === String(b.Style).toLowerCase()) : undefined;
      if (b.Style && !style) throw new ReelsmithError('InvalidParameter', `Style: one of ${SPEECH_STYLES.join(', ')}`);
      const file = (await synth.clip(voice.name, rate, text, undefined, style)).path;
      return reply.type('audio/wav').send(await readFile(file));
    }
  });
}
