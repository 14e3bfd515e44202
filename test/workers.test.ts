/**
 * The scaled deployment: one service on PostgreSQL and `reelsmith worker` processes taking its
 * jobs from the queue, sharing the data folder; a worker killed with -9 in the middle of a job has
 * the job handed back and finished by another, nothing lost, nothing half-written, one callback.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { readdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Service, startService } from '../src/shells/http/service.js';
import { cli, ffprobe, MEDIA, media, tempDir } from './helpers.js';
import { type EditingBatchJob, expectMp4At, type ImsClient, imsClient, jobEnd } from './ims.js';
import { startPostgres, type TestPostgres } from './postgres.js';
import { startWorkerProcess } from './worker-process.js';

const AK = 'LTAI5tReelsmithWorkers';
const SECRET = 'workers-secret-0123456789';

let postgres: TestPostgres;
let service: Service;
let client: ImsClient;
let data: string;
/** The workers' configuration: the test media's folder may be named by path, as for the service. */
let config: string;
const workers: ChildProcess[] = [];
/** What each worker said so far (shown when one ends unexpectedly). */
const said = new Map<ChildProcess, () => string>();

/** `reelsmith worker` as its own process, once it says it is ready (DEBUG_WORKERS=1 echoes it). */
async function worker(...extra: string[]): Promise<ChildProcess> {
  const w = await startWorkerProcess({
    database: postgres.url,
    publicUrl: service.url,
    data,
    config,
    args: extra,
    env: { REELSMITH_ALLOW_PRIVATE_URLS: '1' },
    echo: !!process.env.DEBUG_WORKERS,
  });
  workers.push(w.child);
  said.set(w.child, w.said);
  return w.child;
}

beforeAll(async () => {
  postgres = await startPostgres();
  data = tempDir('rs-workers-');
  config = join(data, 'worker.json');
  writeFileSync(config, JSON.stringify({ allowedMediaDirs: [MEDIA()] }));
  // The service renders nothing itself here: the workers do.
  service = await startService({
    port: 0,
    dataDir: data,
    database: postgres.url,
    keys: new Map([[AK, SECRET]]),
    allowedMediaDirs: [MEDIA()],
    allowPrivateUrls: true,
    callbackBaseDelayMs: 100,
  });
  client = imsClient(service.url, AK, SECRET);
}, 120_000);
afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await service?.close();
  await postgres?.stop();
});

const job = (count: number, seconds: number, extra: object = {}) => ({
  InputConfig: JSON.stringify({
    MediaGroupArray: [
      { GroupName: 'a', MediaArray: [media('storefront_opening.mp4')] },
      { GroupName: 'b', MediaArray: [media('mall_crowd.mp4')] },
    ],
  }),
  EditingConfig: JSON.stringify({ ProcessConfig: { SingleShotDuration: seconds / 2, AllowTransition: false } }),
  OutputConfig: JSON.stringify({ MediaURL: 'w_{index}.mp4', Count: count, Width: 180, Height: 320, FixedDuration: seconds }),
  ...extra,
});

async function status(jobId: string) {
  return (await client.request('GetBatchMediaProducingJob', { JobId: jobId })).EditingBatchJob as EditingBatchJob;
}

describe('workers on PostgreSQL', () => {
  it('two workers render the jobs the service queues; every output downloads by its MediaURL', async () => {
    const [w1, w2] = await Promise.all([worker(), worker()]);
    // Both listed by their heartbeats: in the API, in /healthz and by "reelsmith workers".
    const listed = (await (
      await fetch(`${service.url}/api/v1/workers`, { headers: { authorization: `Bearer ${AK}:${SECRET}` } })
    ).json()) as {
      Workers: { Pid: number; Host: string; SeenSecondsAgo: number }[];
    };
    expect(listed.Workers.map((w) => w.Pid).sort()).toEqual([w1.pid, w2.pid].sort());
    for (const w of listed.Workers) expect(w.SeenSecondsAgo).toBeLessThan(5);
    expect(await (await fetch(`${service.url}/healthz`)).json()).toEqual({ Status: 'ok', Database: 'ok', Workers: 2 });
    const cliList = await cli(['workers', '--database', postgres.url]);
    expect(cliList.stdout).toContain(`:${w1.pid}  since`);
    const ids: string[] = [];
    for (let k = 0; k < 3; k++)
      ids.push((await client.request('SubmitBatchMediaProducingJob', job(2, 2), { method: 'POST' })).JobId as string);
    for (const id of ids) {
      const b = await jobEnd(client, id, 180);
      expect(b.Status, JSON.stringify(b)).toBe('Finished');
      for (const s of b.SubJobList) {
        expect(s.Status).toBe('Success');
        await expectMp4At(s.MediaURL);
      }
    }
    // The workers say how fast they render: a preview's estimate is made on their speed and number.
    const preview = (await (
      await fetch(`${service.url}/api/v1/jobs/preview`, {
        method: 'POST',
        headers: { authorization: `Bearer ${AK}:${SECRET}`, 'content-type': 'application/json' },
        body: JSON.stringify(job(2, 2)),
      })
    ).json()) as { Estimate: { RenderSeconds: number; Basis: string; Parallel: number } };
    expect(preview.Estimate).toMatchObject({ Basis: 'measured', Parallel: 2 });
    expect(preview.Estimate.RenderSeconds).toBeGreaterThanOrEqual(0);
    // SIGTERM: the worker stops taking jobs, ends cleanly and leaves the listing at once.
    const exited = new Promise<number | null>((res) => w1.once('exit', (code) => res(code)));
    w1.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(((await (await fetch(`${service.url}/healthz`)).json()) as { Workers: number }).Workers).toBe(1);
  }, 240_000);

  it('kill -9 of busy workers six times at random moments, three workers sharing the outputs of a 10-output job: no output lost, made twice or half-written, one media ID per output, one completion callback', async () => {
    for (const w of workers.splice(0)) w.kill('SIGKILL');
    // A receiver counting completion callbacks.
    const got: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        got.push(body);
        res.end('ok');
      });
    }).listen(0, '127.0.0.1');
    await new Promise((r) => receiver.once('listening', r));
    const notify = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/done`;
    try {
      const live = await Promise.all([worker('--jobs', '1'), worker('--jobs', '1'), worker('--jobs', '1')]);
      // 360x640: renders long enough for the kills to land in the middle of them.
      const r = await client.request(
        'SubmitBatchMediaProducingJob',
        {
          ...job(10, 10, { UserData: JSON.stringify({ NotifyAddress: notify }) }),
          OutputConfig: JSON.stringify({ MediaURL: 'w_{index}.mp4', Count: 10, Width: 360, Height: 640, FixedDuration: 10 }),
        },
        { method: 'POST' },
      );
      const id = r.JobId as string;
      // The outputs spread over the workers: each heartbeat names the outputs it renders.
      const seen = new Set<number>();
      const starting: Promise<void>[] = [];
      let kills = 0;
      while (kills < 6) {
        const listed = (await (
          await fetch(`${service.url}/api/v1/workers`, { headers: { authorization: `Bearer ${AK}:${SECRET}` } })
        ).json()) as {
          Workers: { Pid: number; JobIds: string[] }[];
        };
        const busy = listed.Workers.filter((w) => w.JobIds.some((u) => u.startsWith(`${id}-`)));
        for (const w of busy) seen.add(w.Pid);
        if ((await status(id)).Status !== 'Processing' && kills > 0) break;
        if (busy.length === 0) {
          await new Promise((res) => setTimeout(res, 200));
          continue;
        }
        await new Promise((res) => setTimeout(res, 200 + Math.random() * 1500));
        const victim = live.find((w) => w.pid === busy[Math.floor(Math.random() * busy.length)].Pid);
        if (!victim) continue;
        victim.kill('SIGKILL');
        kills++;
        // A fresh worker in its place, started without waiting for it (the next kill may come first).
        live.splice(live.indexOf(victim), 1);
        starting.push(worker('--jobs', '1').then((w) => void live.push(w)));
      }
      await Promise.all(starting);
      expect(kills).toBeGreaterThanOrEqual(3);
      expect(seen.size).toBeGreaterThanOrEqual(2);
      const b = await jobEnd(client, id, 300);
      expect(b.Status).toBe('Finished');
      expect(b.SubJobList.map((s) => s.Status)).toEqual(Array(10).fill('Success'));
      const dir = join(data, 'outputs', id);
      const files = readdirSync(dir);
      expect(files.filter((f) => f.endsWith('.part'))).toEqual([]);
      expect(files.filter((f) => f.endsWith('.mp4')).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => `w_${k}.mp4`));
      for (const f of files.filter((x) => x.endsWith('.mp4'))) expect((await ffprobe(join(dir, f))).duration).toBeGreaterThan(9.5);
      // One media ID per output, however many times a render was started.
      expect(new Set(b.SubJobList.map((s) => s.MediaId)).size).toBe(10);
      for (let i = 0; i < 50 && got.length < 1; i++) await new Promise((res) => setTimeout(res, 100));
      await new Promise((res) => setTimeout(res, 1000));
      expect(got.filter((x) => x.includes('BatchProduceMediaComplete'))).toHaveLength(1);
      // Workers killed -9 leave the listing within the heartbeat's 10 s; the live ones stay.
      await new Promise((res) => setTimeout(res, 11_000));
      const after = (await (await fetch(`${service.url}/healthz`)).json()) as { Workers: number };
      expect(after.Workers).toBe(3);
    } finally {
      receiver.close();
    }
  }, 400_000);

  it('is fair: a one-output job submitted after an eight-output job is rendered before most of the big one', async () => {
    for (const w of workers.splice(0)) w.kill('SIGKILL');
    await worker('--jobs', '1');
    const big = (await client.request('SubmitBatchMediaProducingJob', job(8, 2), { method: 'POST' })).JobId as string;
    await new Promise((res) => setTimeout(res, 500));
    const small = (await client.request('SubmitBatchMediaProducingJob', job(1, 2), { method: 'POST' })).JobId as string;
    const s = await jobEnd(client, small, 180);
    expect(s.Status).toBe('Finished');
    const atThatTime = await status(big);
    expect(atThatTime.SubJobList.filter((x) => x.Status === 'Success').length).toBeLessThanOrEqual(3);
    expect((await jobEnd(client, big, 240)).Status).toBe('Finished');
  }, 300_000);

  it('survives a database outage in the middle of a job: the workers carry on when PostgreSQL is back, the job finishes whole', async () => {
    for (const w of workers.splice(0)) w.kill('SIGKILL');
    const live = await Promise.all([worker('--jobs', '1'), worker('--jobs', '1')]);
    const id = (await client.request('SubmitBatchMediaProducingJob', job(4, 4), { method: 'POST' })).JobId as string;
    for (let i = 0; i < 1200; i++) {
      if ((await status(id)).SubJobList.some((x) => x.Status === 'Processing')) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    await postgres.outage(4000);
    const b = await jobEnd(client, id, 300);
    expect(b.Status).toBe('Finished');
    expect(b.SubJobList.map((x) => x.Status)).toEqual(Array(4).fill('Success'));
    expect(readdirSync(join(data, 'outputs', id)).filter((f) => f.endsWith('.part'))).toEqual([]);
    // Neither worker ended; both are listed again.
    for (const w of live) expect(w.exitCode, said.get(w)?.()).toBeNull();
    for (let i = 0; i < 50; i++) {
      const h = (await (await fetch(`${service.url}/healthz`)).json()) as { Workers: number };
      if (h.Workers === 2) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(await (await fetch(`${service.url}/healthz`)).json()).toEqual({ Status: 'ok', Database: 'ok', Workers: 2 });
  }, 400_000);
});
