/** The reelsmith command line: a thin shell over the library. */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { reelsmithHome } from '../../config/home.js';
import { ALL_TRANSITIONS, drawingLabel, transitionDrawing } from '../../effects/transitions.js';
import { loadServiceConfig, type ServiceConfig, startService, storageSettings } from '../http/service.js';
import { startWorker } from '../worker/worker.js';
import { WorkerRegistry } from '../../service/workers.js';
import { IMS_VERSION } from '../http/server.js';
import { JobValidationError, ReelsmithError } from '../../errors.js';
import { previewStrip } from '../../batch/preview.js';
import { prepare, produce } from '../../batch/produce.js';
import { VFX_DRAWN } from '../../effects/vfx.js';
import { MUSIC_STYLES, VFX_ALL } from '../../job/catalogue.js';
import { MusicLibrary } from '../../media/music.js';
import { MediaLibrary } from '../../media/library.js';
import { isFailure } from '../../planner/plan.js';
import { parseJob, readJob, textIssue } from '../../job/parse.js';
import { JobTextError } from '../../job/text.js';
import { jobJsonSchema } from '../../job/json-schema.js';
import { type FolderJobOptions, jobFromFolder } from '../../batch/from-folder.js';
import { engineFromEnv } from '../../speech/openai.js';
import { renderSettingsFromEnv } from '../env.js';
import { VOICES } from '../../speech/voices.js';
import { openDatabase } from '../../storage/db.js';
import { progressReporter } from './progress.js';

// The environment is read here, in the shell, and passed down as values.
/** The data folder: $REELSMITH_HOME, else ~/.reelsmith. */
const dataHome = () => reelsmithHome(process.env.REELSMITH_HOME);
/** The OpenAI-compatible speech engine when REELSMITH_TTS_ENGINE=openai, else espeak-ng (the default below). */
const speechEngine = () => engineFromEnv(process.env);

/** A job file is a few kilobytes; 10 MB leaves room for any job and refuses a wrong file quickly. */
const MAX_JOB_FILE_BYTES = 10 * 1024 * 1024;

/** `A.B[0].C` → ['A', 'B', 0, 'C']. */
const pathSegments = (path: string) => [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));

/** The line of a path in the job text, or of the nearest enclosing value that is in it. */
function lineFor(lineOf: (p: (string | number)[]) => number | undefined, path: string): number | undefined {
  const segs = pathSegments(path);
  for (let n = segs.length; n > 0; n--) {
    const line = lineOf(segs.slice(0, n));
    if (line !== undefined) return line;
  }
  return undefined;
}

/** Reads a job file (JSONC) and parses it; every problem and warning names its line. */
async function loadJob(file: string, o: { quiet?: boolean } = {}) {
  const path = resolve(file);
  // A FIFO or a device would block or never end: only a regular file of sensible size is read.
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new ReelsmithError('InvalidParameter', `job file ${path} does not exist`);
  if (!st.isFile()) throw new ReelsmithError('InvalidParameter', `job file ${path} is not a regular file (a folder, a FIFO or a device)`);
  if (st.size > MAX_JOB_FILE_BYTES)
    throw new ReelsmithError('InvalidParameter', `job file ${path} is ${st.size} bytes; a job file is at most ${MAX_JOB_FILE_BYTES} bytes`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ReelsmithError(
      'InvalidParameter',
      `cannot read job file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  let read: ReturnType<typeof readJob>;
  try {
    read = readJob(text);
  } catch (err) {
    if (err instanceof JobTextError) throw new JobValidationError([textIssue(file, err)]);
    throw err;
  }
  const params = read.value as Record<string, unknown>;
  if (!params || typeof params !== 'object' || Array.isArray(params))
    throw new ReelsmithError('InvalidParameter', 'the job file must hold a JSON object');
  const at = (p: string) => {
    const line = lineFor(read.lineOf, p);
    return line !== undefined ? `${p} (line ${line})` : p;
  };
  let parsed: ReturnType<typeof parseJob>;
  try {
    parsed = parseJob(params, { baseDir: dirname(path) });
  } catch (err) {
    if (err instanceof JobValidationError) throw new JobValidationError(err.issues.map((i) => ({ ...i, path: i.path && at(i.path) })));
    throw err;
  }
  // Warnings that start with a path say its line too.
  const warnings = [
    ...read.warnings,
    ...parsed.warnings.map((w) => w.replace(/^([A-Za-z$][\w$]*(?:\.[\w$]+|\[\d+\])*): /, (_, p) => `${at(p)}: `)),
  ];
  if (!o.quiet) for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  return { ...parsed, warnings };
}

/**
 * The job of `produce DIR`/`plan DIR`: DIR/job.json when there is one; else one written from the
 * folder's contents (reelsmith new) into `writeTo`, and said.
 */
async function jobFileFor(target: string, writeTo: string, made: FolderJobOptions = {}): Promise<string> {
  const st = await stat(target).catch(() => undefined);
  if (!st?.isDirectory()) return target;
  const own = join(target, 'job.json');
  if (await stat(own).catch(() => undefined)) return own;
  const file = join(writeTo, 'job.json');
  const job = await jobFromFolder(target, { ...made, jobDir: writeTo });
  await mkdir(writeTo, { recursive: true });
  await writeFile(file, job.text);
  process.stderr.write(`no job file in ${target}: one was made from the folder (${job.summary.join('; ')}) and written to ${file}\n`);
  return file;
}

/** `1080x1920` → [1080, 1920]. */
const videoSize = (v: string) => {
  const m = /^(\d+)x(\d+)$/.exec(v);
  if (!m) throw new InvalidArgumentError('must be WIDTHxHEIGHT, e.g. 1080x1920');
  return [Number(m[1]), Number(m[2])] as const;
};

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

const program = new Command()
  .name('reelsmith')
  .description('Batch one-click video creation: one IMS-style job, many distinct videos.')
  .version('0.1.0');

program
  .command('produce')
  .description('render every output of a job into a folder, with manifest.json')
  .argument(
    '<job>',
    'job file (InputConfig, EditingConfig, OutputConfig, UserData), or a folder of clips (its job.json, else one made from it)',
  )
  .requiredOption('-o, --out <dir>', 'output folder')
  .option('-s, --seed <seed>', 'seed of all random draws (same job + seed = same plans)')
  .option('-j, --jobs <n>', 'outputs rendered at once', positiveInt)
  .option('--count <n>', 'for a folder without a job file: videos to make (default 3)', positiveInt)
  .option('--size <WxH>', 'for a folder without a job file: video size (default 1080x1920)', videoSize)
  .action(async (target: string, o: { out: string; seed?: string; jobs?: number; count?: number; size?: readonly [number, number] }) => {
    const file = await jobFileFor(target, resolve(o.out), { count: o.count, width: o.size?.[0], height: o.size?.[1] });
    const parsed = await loadJob(file);
    const reporter = progressReporter(parsed.job.output.count);
    const details = new Map<number, string>();
    let manifest: Awaited<ReturnType<typeof produce>>;
    try {
      manifest = await produce(parsed, {
        home: dataHome(),
        engine: speechEngine(),
        render: renderSettingsFromEnv(process.env),
        outDir: resolve(o.out),
        seed: o.seed,
        jobs: o.jobs,
        onEvent: (e) => {
          if (e.type === 'output-done' && e.error?.detail) details.set(e.index, e.error.detail);
          reporter.event(e);
        },
      });
    } finally {
      reporter.stop();
    }
    const subs = manifest.EditingBatchJob.SubJobList;
    const ok = subs.filter((s) => s.Status === 'Success').length;
    // What the plans left out (the job's own warnings were printed when it was read).
    for (const w of manifest.Warnings.slice(parsed.warnings.length)) process.stderr.write(`warning: ${w}\n`);
    process.stdout.write(`${ok}/${subs.length} videos in ${resolve(o.out)} (seed ${manifest.Seed}); manifest.json written\n`);
    for (const s of subs) {
      if (s.Status !== 'Failed') continue;
      process.stdout.write(`  ${s.MediaURL}: ${s.ErrorCode}: ${s.ErrorMessage}\n`);
      // On the command line the user owns the machine: internals help (FFmpeg's last lines).
      const detail = details.get(subs.indexOf(s));
      if (detail) process.stdout.write(`${detail.replace(/^/gm, '    | ')}\n`);
    }
    process.exitCode = ok === subs.length || parsed.job.output.previewOnly ? 0 : 1;
  });

program
  .command('validate')
  .description('check a job file: every problem at once, with its path and line; nothing is rendered')
  .argument('<job>', 'job file')
  .action(async (file: string) => {
    const parsed = await loadJob(file, { quiet: true });
    for (const w of parsed.warnings) process.stdout.write(`warning: ${w}\n`);
    const j = parsed.job;
    process.stdout.write(
      `${file}: valid (${j.type}, ${j.output.count} video${j.output.count > 1 ? 's' : ''} of ${j.output.width}x${j.output.height}${parsed.warnings.length ? `, ${parsed.warnings.length} warning${parsed.warnings.length > 1 ? 's' : ''}` : ''})\n`,
    );
  });

program
  .command('schema')
  .description('the JSON Schema of job files, for editors ("$schema" in a job file, or the editor\'s settings)')
  .option('-o, --out <file>', 'write it to a file')
  .action(async (o: { out?: string }) => {
    const text = `${JSON.stringify(jobJsonSchema(), null, 2)}\n`;
    if (o.out) await writeFile(resolve(o.out), text);
    else process.stdout.write(text);
  });

program
  .command('new')
  .description('write a commented job file for a folder of clips: one group per sub-folder, a script, music/')
  .argument('<dir>', 'folder of clips (sub-folders are groups, in name order)')
  .option('--script <file>', 'voice-over text: one paragraph per group, or one voice-over (default: script.txt in the folder)')
  .option('--count <n>', 'videos to make (default 3)', positiveInt)
  .option('--size <WxH>', 'video size (default 1080x1920)', videoSize)
  .option('-o, --out <file>', 'job file to write (default DIR/job.json)')
  .option('-f, --force', 'replace an existing job file')
  .action(async (dir: string, o: { script?: string; count?: number; size?: readonly [number, number]; out?: string; force?: boolean }) => {
    const file = resolve(o.out ?? join(dir, 'job.json'));
    if (!o.force && (await stat(file).catch(() => undefined)))
      throw new ReelsmithError('InvalidParameter', `${file} exists already (--force replaces it, --out writes elsewhere)`);
    const made = await jobFromFolder(dir, {
      script: o.script,
      count: o.count,
      width: o.size?.[0],
      height: o.size?.[1],
      jobDir: dirname(file),
    });
    await writeFile(file, made.text);
    for (const line of made.summary) process.stdout.write(`${line}\n`);
    process.stdout.write(`${file} written; check it with "reelsmith validate ${relative(process.cwd(), file) || file}"\n`);
  });

program
  .command('plan')
  .description('print every output’s resolved timeline as JSON, without rendering')
  .argument('<job>', 'job file')
  .option('-s, --seed <seed>', 'seed of all random draws', '1')
  .action(async (file: string, o: { seed: string }) => {
    const parsed = await loadJob(file);
    const p = await prepare(parsed, { home: dataHome(), engine: speechEngine(), seed: o.seed });
    const plans = p.plan.timelines.map((t) =>
      isFailure(t) ? { index: t.index, error: { code: t.error.code, message: t.error.message } } : t,
    );
    process.stdout.write(`${JSON.stringify({ seed: p.seed, uniqueness: p.plan.uniqueness, plans }, null, 2)}\n`);
  });

const media = program.command('media').description('the local media library (IDs usable in jobs)');
media
  .command('add')
  .argument('<file>', 'video, image or audio file')
  .option('--title <title>')
  .option('--description <text>')
  .option('--tags <a,b,c>', 'comma-separated tags')
  .action(async (file: string, o: { title?: string; description?: string; tags?: string }) => {
    const home = dataHome();
    const db = await openDatabase(home.database);
    try {
      const rec = await new MediaLibrary(db, home.media).add(resolve(file), {
        title: o.title,
        description: o.description,
        tags: o.tags
          ?.split(/[,，]/)
          .map((t) => t.trim())
          .filter(Boolean),
      });
      process.stdout.write(`${rec.id}\n`);
    } finally {
      await db.destroy();
    }
  });
media
  .command('list')
  .option('--json', 'print JSON')
  .action(async (o: { json?: boolean }) => {
    const home = dataHome();
    const db = await openDatabase(home.database);
    try {
      const list = await new MediaLibrary(db, home.media).list();
      if (o.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else
        for (const m of list)
          process.stdout.write(`${m.id}  ${m.kind.padEnd(5)}  ${m.title}${m.tags.length ? `  [${m.tags.join(', ')}]` : ''}\n`);
    } finally {
      await db.destroy();
    }
  });

const music = program.command('music').description('the music library by IMS style (BackgroundMusicConfig.Style)');
music
  .command('add')
  .argument('<file>', 'audio file')
  .requiredOption('--style <style>', `one of ${MUSIC_STYLES.join(', ')}`)
  .action(async (file: string, o: { style: string }) => {
    process.stdout.write(`${await new MusicLibrary(dataHome().music).add(resolve(file), o.style)}\n`);
  });
music
  .command('list')
  .option('--style <style>', 'only this style')
  .action(async (o: { style?: string }) => {
    const lib = new MusicLibrary(dataHome().music);
    for (const style of o.style ? [o.style] : MUSIC_STYLES)
      for (const t of await lib.tracks(style)) process.stdout.write(`${style.padEnd(18)} ${t}\n`);
  });

program
  .command('voices')
  .description('the voice catalogue: IMS voice names and the local voices they map to')
  .action(() => {
    for (const v of VOICES)
      process.stdout.write(`${v.name.padEnd(14)} ${v.gender.padEnd(7)} ${v.age.padEnd(6)} ${v.language.padEnd(4)} ${v.styles.join(',')}\n`);
  });

program
  .command('transitions')
  .description('IMS transition names and how this version draws them')
  .action(() => {
    for (const name of ALL_TRANSITIONS) {
      const d = transitionDrawing(name);
      process.stdout.write(`${name.padEnd(28)} ${drawingLabel(d.drawnAs)}${d.faithful ? '' : ' (approximation)'}\n`);
    }
  });

program
  .command('effects')
  .description('IMS visual effect names and which this version draws')
  .action(() => {
    for (const name of VFX_ALL) process.stdout.write(`${name.padEnd(24)} ${VFX_DRAWN[name] ?? '(accepted, planned, not drawn yet)'}\n`);
  });

const preview = program.command('preview').description('PNG contact strips of an effect or a transition');
for (const kind of ['effect', 'transition'] as const) {
  preview
    .command(kind)
    .argument('<name>', `${kind} name`)
    .option('-o, --out <file>', 'PNG file to write')
    .action(async (name: string, o: { out?: string }) => {
      const png = resolve(o.out ?? `${kind}-${name}.png`);
      const r = await previewStrip({ kind, name, outPng: png, home: dataHome() });
      process.stdout.write(`${png} (frames at ${r.times.map((t) => t.toFixed(2)).join(', ')} s)\n`);
    });
}

program
  .command('serve')
  .description('the IMS-compatible HTTP service (RPC and REST APIs, durable jobs, callbacks)')
  .option('-p, --port <port>', 'port to listen on (default 8080)')
  .option('--host <host>', 'address to listen on (default 127.0.0.1)')
  .option('--data <dir>', 'data folder: database, caches, outputs (default $REELSMITH_HOME or ~/.reelsmith)')
  .option('--database <url>', "a postgres:// URL (the scaled deployment), else the data folder's SQLite file")
  .option('--storage <s3url>', 'outputs to an S3-compatible bucket: s3://bucket/prefix (REELSMITH_S3_ENDPOINT, AWS_ACCESS_KEY_ID, …)')
  .option('-c, --config <file>', 'JSON configuration file (see README); options and environment variables override it')
  .action(async (o: { port?: string; host?: string; data?: string; database?: string; storage?: string; config?: string }) => {
    let cfg: ServiceConfig;
    try {
      cfg = await loadServiceConfig(o.config, process.env);
    } catch (err) {
      process.stderr.write(`reelsmith serve: ${(err as Error).message}\n`);
      process.exit(2);
    }
    if (cfg.keys.size === 0) {
      process.stderr.write(
        'reelsmith serve needs at least one AccessKey pair: REELSMITH_ACCESS_KEYS="LTAIexample:secret" or "accessKeys" in --config\n',
      );
      process.exit(2);
    }
    const service = await startService({
      ...cfg,
      engine: speechEngine(),
      render: renderSettingsFromEnv(process.env),
      // Readable lines on a terminal, JSON lines otherwise (for a log collector).
      log: cfg.log === false ? false : process.stdout.isTTY ? 'pretty' : true,
      port: o.port ? Number(o.port) : cfg.port,
      host: o.host ?? cfg.host,
      dataDir: o.data ? resolve(o.data) : (cfg.dataDir ?? process.env.REELSMITH_HOME),
      database: o.database ?? cfg.database,
      storage: o.storage ? storageSettings(o.storage, {}, process.env) : cfg.storage,
    });
    process.stdout.write(`reelsmith listening on ${service.url} (IMS API ${IMS_VERSION})\n`);
    const shutdown = () => void service.close().then(() => process.exit(0));
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });

program
  .command('worker')
  .description('render jobs of a service on PostgreSQL (any number of workers, on any machines)')
  .requiredOption('--database <url>', "the service's PostgreSQL: postgres://user@host/db")
  .requiredOption('--public-url <url>', "the service's base URL as clients reach it (outputs' MediaURLs)")
  .option('--data <dir>', 'data folder shared with the service: outputs, caches (default $REELSMITH_HOME or ~/.reelsmith)')
  .option('-j, --jobs <n>', 'outputs rendered at once (default: half the cores)', positiveInt)
  .option('--storage <s3url>', "the service's bucket: s3://bucket/prefix")
  .option('-c, --config <file>', "the service's configuration file (limits, address policy)")
  .action(async (o: { database: string; publicUrl: string; data?: string; jobs?: number; storage?: string; config?: string }) => {
    const cfg = await loadServiceConfig(o.config, process.env);
    const log = {
      info: (obj: object, msg: string) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg, ...obj })}\n`),
      error: (obj: object, msg: string) => process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), msg, ...obj })}\n`),
    };
    const storage = o.storage ? storageSettings(o.storage, {}, process.env) : cfg.storage;
    const worker = await startWorker({
      database: o.database,
      publicUrl: o.publicUrl,
      dataDir: o.data ? resolve(o.data) : (cfg.dataDir ?? process.env.REELSMITH_HOME),
      renders: o.jobs,
      engine: speechEngine(),
      render: renderSettingsFromEnv(process.env),
      allowedMediaDirs: cfg.allowedMediaDirs,
      download: cfg.download,
      maxOutputDuration: cfg.maxOutputDuration,
      maxRenderMemoryMB: cfg.maxRenderMemoryMB,
      allowPrivateUrls: cfg.allowPrivateUrls,
      storage,
      log,
    });
    // A failure nobody awaited, or an error event nobody listens to (a pooled PostgreSQL client
    // whose connection dies while checked out): the database gone for a while (a restart, the
    // network) is waited out, as everywhere else in the worker (its state is in the database);
    // anything else leaves the worker in an unknown state: said, then the process ends (its units
    // are handed back).
    const unhandled = (kind: string) => (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      const lostDatabase =
        /ECONNREFUSED|ECONNRESET|terminating connection|Connection terminated|the database system is (starting|shutting)/i.test(message);
      log.error(
        { err: err instanceof Error ? err.stack : message },
        lostDatabase ? `database unreachable (${kind})` : `worker failed: ${kind}`,
      );
      if (!lostDatabase) process.exit(1);
    };
    process.on('unhandledRejection', unhandled('unhandled rejection'));
    process.on('uncaughtException', unhandled('uncaught exception'));
    process.stdout.write(`reelsmith worker ready (pid ${process.pid})\n`);
    // SIGTERM: finish the running jobs, take no new one; a second signal stops at once (the jobs
    // are handed back to the queue by the others).
    let stopping = false;
    const stop = () => {
      if (stopping) process.exit(1);
      stopping = true;
      void worker.stop(true).then(() => process.exit(0));
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });

program
  .command('workers')
  .description('the workers of a service on PostgreSQL heard from in the last 10 s, and the jobs they run')
  .requiredOption('--database <url>', "the service's PostgreSQL: postgres://user@host/db")
  .option('--json', 'print JSON')
  .action(async (o: { database: string; json?: boolean }) => {
    const db = await openDatabase(o.database);
    try {
      const list = await new WorkerRegistry(db).list();
      if (o.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else if (list.length === 0) process.stdout.write('no worker heard from in the last 10 s\n');
      else
        for (const w of list)
          process.stdout.write(
            `${w.WorkerId}  ${w.Host}:${w.Pid}  since ${w.StartTime}  seen ${w.SeenSecondsAgo} s ago  ${w.JobIds.length ? `running ${w.JobIds.join(', ')}` : 'idle'}\n`,
          );
    } finally {
      await db.destroy();
    }
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof JobValidationError) {
    process.stderr.write(
      `InvalidParameter: the job is invalid:\n${err.issues.map((i) => `  ${i.path ? `${i.path}: ` : ''}${i.reason.replace(/\n/g, '\n    ')}`).join('\n')}\n`,
    );
    process.exitCode = 2;
  } else if (err instanceof ReelsmithError) {
    process.stderr.write(`${err.code}: ${err.message}\n${err.detail ? `${err.detail.replace(/^/gm, '  | ')}\n` : ''}`);
    // The catalogue says whose fault it is: the input's (exit 2) or reelsmith's (exit 1).
    process.exitCode = err.status < 500 ? 2 : 1;
  } else {
    process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 3;
  }
});
