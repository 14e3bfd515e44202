/**
 * Scaled-deployment benchmark: outputs per minute of a `Count: 20` job at 720x1280 rendered by
 * `reelsmith worker` processes through PostgreSQL (1 worker, then 2 on this machine), against the
 * same job rendered in-process by produce() in the same run (the baseline: no queue, no database);
 * and what a worker costs PostgreSQL (connections held, transactions per second while idle), the
 * figures the README's 100-worker arithmetic is made of.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { makeSampleMedia } from '../examples/sample-media.js';
import { produce } from '../src/batch/produce.js';
import { reelsmithHome } from '../src/config/home.js';
import { parseJob } from '../src/job/parse.js';
import { startService } from '../src/shells/http/service.js';
import { startPostgres } from '../test/postgres.js';
import { startWorkerProcess } from '../test/worker-process.js';
import { REFERENCE_SPEECH } from './reference.js';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'bench/out/workers');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const mediaDir = join(root, 'examples/media');
await makeSampleMedia(mediaDir);
const m = (f: string) => join(mediaDir, f);
const COUNT = Number(process.env.BENCH_COUNT ?? 20);

const config = {
  InputConfig: {
    MediaGroupArray: [
      { GroupName: 'opening', MediaArray: [m('storefront_opening.mp4'), m('mall_crowd.mp4')] },
      { GroupName: 'inside', MediaArray: [m('store_interior.mp4'), m('snacks_and_drinks.mp4'), m('fresh_fruit.png')] },
      { GroupName: 'checkout', MediaArray: [m('checkout_queue.mp4')] },
    ],
    SpeechTextArray: [REFERENCE_SPEECH.split('. ').slice(0, 2).join('. ')],
    BackgroundMusicArray: [m('relaxing_theme.mp3')],
  },
  EditingConfig: { ProcessConfig: { SingleShotDuration: 2 }, SpeechConfig: { Voice: 'cally' } },
  OutputConfig: { MediaURL: 'o_{index}.mp4', Count: COUNT, Width: 720, Height: 1280, FixedDuration: 8 },
};
const strings = {
  InputConfig: JSON.stringify(config.InputConfig),
  EditingConfig: JSON.stringify(config.EditingConfig),
  OutputConfig: JSON.stringify(config.OutputConfig),
};

const postgres = await startPostgres();
// A failure anywhere still stops the throwaway PostgreSQL.
process.on('uncaughtException', (err) => {
  process.stderr.write(`${err.stack}\n`);
  void postgres.stop().then(() => process.exit(1));
});
process.on('unhandledRejection', (err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  void postgres.stop().then(() => process.exit(1));
});
const data = join(out, 'data');
const service = await startService({
  port: 0,
  dataDir: data,
  database: postgres.url,
  keys: new Map([['LTAIbench', 'bench-secret']]),
  allowedMediaDirs: [mediaDir],
});
const auth = { authorization: 'Bearer LTAIbench:bench-secret', 'content-type': 'application/json' };
const sql = new pg.Client({ connectionString: postgres.url });
await sql.connect();

// ---- baseline: the same job in-process (warm caches: speech, probes, shaders) -----------------
const home = reelsmithHome(data);
const parsed = parseJob(config, { baseDir: root });
await produce(parseJob({ ...config, OutputConfig: { ...config.OutputConfig, Count: 1 } }, { baseDir: root }), {
  home,
  outDir: join(out, 'warm'),
  seed: 1,
});
let t0 = performance.now();
await produce(parsed, { home, outDir: join(out, 'direct'), seed: 1 });
const direct = (performance.now() - t0) / 1000;

// ---- workers (the service's configuration: the sample media's folder may be named by path) ---
const workerConfig = join(out, 'worker.json');
writeFileSync(workerConfig, JSON.stringify({ allowedMediaDirs: [mediaDir] }));
// ------------------------------------------------------------------------------------
const worker = async () => (await startWorkerProcess({ database: postgres.url, publicUrl: service.url, data, config: workerConfig })).child;

async function connections(): Promise<number> {
  const r = await sql.query(
    'select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
  );
  return r.rows[0].n as number;
}

async function commits(): Promise<number> {
  const r = await sql.query('select xact_commit::bigint as n from pg_stat_database where datname = current_database()');
  return Number(r.rows[0].n);
}

/** Seconds from submission to the job's end. */
async function runJob(): Promise<number> {
  const t = performance.now();
  const r = await fetch(`${service.url}/api/v1/jobs`, { method: 'POST', headers: auth, body: JSON.stringify(strings) });
  const { JobId } = (await r.json()) as { JobId: string };
  for (;;) {
    const b = (await (await fetch(`${service.url}/api/v1/jobs/${JobId}`, { headers: auth })).json()) as {
      EditingBatchJob: { Status: string; SubJobList: { Status: string }[] };
    };
    const j = b.EditingBatchJob;
    if (j.Status === 'Finished' || j.Status === 'Failed') {
      const ok = j.SubJobList.filter((s) => s.Status === 'Success').length;
      if (ok !== COUNT) throw new Error(`${ok} of ${COUNT} outputs made: ${JSON.stringify(j).slice(0, 600)}`);
      return (performance.now() - t) / 1000;
    }
    await new Promise((res) => setTimeout(res, 250));
  }
}

const idleBase = await connections();
const w1 = await worker();
await new Promise((res) => setTimeout(res, 4000));
const perWorkerConnections = (await connections()) - idleBase;
let c0 = await commits();
await new Promise((res) => setTimeout(res, 10_000));
const idleTxPerSecond = ((await commits()) - c0) / 10;
const one = await runJob();
const w2 = await worker();
await new Promise((res) => setTimeout(res, 2000));
t0 = performance.now();
c0 = await commits();
const two = await runJob();
const busyTxPerSecond = ((await commits()) - c0) / ((performance.now() - t0) / 1000);

const perMin = (s: number) => (COUNT / s) * 60;
process.stdout.write(
  [
    `workers bench: Count ${COUNT} at 720x1280, 8 s each (${new Date().toISOString().slice(0, 10)})`,
    `  in-process produce() (baseline)  ${direct.toFixed(1)} s  ${perMin(direct).toFixed(1)} outputs/min`,
    `  1 worker via PostgreSQL          ${one.toFixed(1)} s  ${perMin(one).toFixed(1)} outputs/min  ratio ${(one / direct).toFixed(3)} of the baseline's time`,
    `  2 workers (this 2-core machine)  ${two.toFixed(1)} s  ${perMin(two).toFixed(1)} outputs/min  ratio ${(two / direct).toFixed(3)}`,
    `  PostgreSQL per worker: ${perWorkerConnections} connections held; idle ${(idleTxPerSecond - 0).toFixed(1)} transactions/s (service + 1 worker), busy ${busyTxPerSecond.toFixed(1)} transactions/s (service + 2 workers)`,
    `  verdict: queue overhead ${one / direct <= 1.1 ? 'within' : 'OVER'} 10% of the in-process render`,
    '',
  ].join('\n'),
);
for (const w of [w1, w2]) w.kill('SIGTERM');
await sql.end();
await service.close();
await postgres.stop();
process.exit(0);
