/**
 * The IMS-compatible service, driven by the official Alibaba Cloud SDK client (@alicloud/pop-core,
 * signature v1) over real HTTP on loopback, and by raw HTTP for the error cases.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpcSignatureV1 } from '../src/shells/http/signature.js';
import { type Service, startService } from '../src/shells/http/service.js';
import { ffprobe, media, tempDir } from './helpers.js';

const require = createRequire(import.meta.url);
const RPCClient = require('@alicloud/pop-core').RPCClient;

const AK = 'LTAI5tReelsmithTest';
const SECRET = 'test-secret-0123456789';
let service: Service;
let client: { request: (action: string, params: object, opts?: object) => Promise<Record<string, unknown>> };

beforeAll(async () => {
  service = await startService({ port: 0, dataDir: tempDir('rs-service-'), keys: new Map([[AK, SECRET]]) });
  client = new RPCClient({ accessKeyId: AK, accessKeySecret: SECRET, endpoint: service.url, apiVersion: '2020-11-09' });
});
afterAll(async () => {
  await service?.close();
});

const job = (extra: object = {}) => ({
  InputConfig: JSON.stringify({ MediaGroupArray: [{ GroupName: 'a', MediaArray: [media('storefront_opening.mp4')] }, { GroupName: 'b', MediaArray: [media('portrait_tone.mp4')] }] }),
  EditingConfig: JSON.stringify({ ProcessConfig: { SingleShotDuration: 1, AllowTransition: false } }),
  OutputConfig: JSON.stringify({ MediaURL: 'https://bucket.example.com/out/clip_{index}.mp4', Count: 2, Width: 180, Height: 320, MaxDuration: 2 }),
  UserData: JSON.stringify({ Campaign: 'spring' }),
  ...extra,
});

async function waitFor(jobId: string) {
  for (let i = 0; i < 240; i++) {
    const r = await client.request('GetBatchMediaProducingJob', { JobId: jobId }, { method: 'POST' });
    const status = (r.EditingBatchJob as { Status: string }).Status;
    if (status === 'Finished' || status === 'Failed') return r.EditingBatchJob as Record<string, unknown>;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error('job did not finish');
}

describe('IMS RPC API with the official SDK client', () => {
  it('submits a batch job (POST, form body) and reports it finished with its sub-jobs', async () => {
    const r = await client.request('SubmitBatchMediaProducingJob', job(), { method: 'POST' });
    expect(r.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(r.JobId).toMatch(/^[0-9a-f]{32}$/);
    const b = await waitFor(r.JobId as string);
    expect(b).toMatchObject({ JobId: r.JobId, JobType: 'Script', Status: 'Finished', UserData: JSON.stringify({ Campaign: 'spring' }) });
    expect(b.CreateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(b.CompleteTime).toMatch(/Z$/);
    const subs = b.SubJobList as { MediaURL: string; Status: string; Duration: number }[];
    expect(subs.map((s) => s.MediaURL)).toEqual(['https://bucket.example.com/out/clip_0.mp4', 'https://bucket.example.com/out/clip_1.mp4']);
    expect(subs.every((s) => s.Status === 'Success' && s.Duration > 1.5)).toBe(true);
    // The outputs are real videos in the data folder.
    const probe = await ffprobe(`${process.env.REELSMITH_HOME}/outputs/${r.JobId}/clip_1.mp4`);
    expect(probe.streams.find((s) => s.codec_type === 'video')).toMatchObject({ width: 180, height: 320 });
  });

  it('the same ClientToken returns the same JobId and renders nothing twice (GET, query string)', async () => {
    const token = `tok-${Date.now()}`;
    const a = await client.request('SubmitBatchMediaProducingJob', job({ ClientToken: token }));
    const b = await client.request('SubmitBatchMediaProducingJob', job({ ClientToken: token }));
    expect(b.JobId).toBe(a.JobId);
    await waitFor(a.JobId as string);
    expect(await service.store.unfinished()).toEqual([]);
  });

  it('lists jobs with filters and pages through them with NextToken', async () => {
    const all: string[] = [];
    let token: string | undefined;
    do {
      const r = await client.request('ListBatchMediaProducingJobs', { MaxResults: 1, JobType: 'Script', ...(token ? { NextToken: token } : {}) });
      const list = r.EditingBatchJobList as { JobId: string; SubJobList?: unknown; Status: string; CreateTime: string }[];
      expect(r.MaxResults).toBe(1);
      expect(list.length).toBeLessThanOrEqual(1);
      for (const j of list) expect(j.SubJobList).toBeUndefined();
      all.push(...list.map((j) => j.JobId));
      token = r.NextToken as string | undefined;
    } while (token);
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(new Set(all).size).toBe(all.length);
    const asc = await client.request('ListBatchMediaProducingJobs', { MaxResults: 100, SortBy: 'asc' });
    expect((asc.EditingBatchJobList as { JobId: string }[]).map((j) => j.JobId)).toEqual([...all].reverse());
    const none = await client.request('ListBatchMediaProducingJobs', { Status: 'Failed', EndTime: '2001-01-01T00:00:00Z' });
    expect(none.EditingBatchJobList).toEqual([]);
    const bad = await client.request('ListBatchMediaProducingJobs', { MaxResults: 101 }).catch((e: { code: string }) => e);
    expect(bad).toMatchObject({ code: 'InvalidParameter' });
  });

  it('refuses an invalid job with InvalidParameter naming the field', async () => {
    const bad = job({ OutputConfig: JSON.stringify({ MediaURL: 'x_{index}.mp4', Count: 0, Width: 180, Height: 320 }) });
    const err = await client.request('SubmitBatchMediaProducingJob', bad, { method: 'POST' }).catch((e: { code: string; message: string; data: object }) => e);
    expect(err).toMatchObject({ code: 'InvalidParameter' });
    expect((err as { message: string }).message).toMatch(/OutputConfig\.Count/);
  });

  it('answers an unknown job and an unknown action with IMS errors', async () => {
    const e1 = await client.request('GetBatchMediaProducingJob', { JobId: 'f'.repeat(32) }).catch((e: { code: string }) => e);
    expect(e1).toMatchObject({ code: 'InvalidParameter.JobNotFound' });
    const e2 = await client.request('NoSuchAction', {}).catch((e: { code: string }) => e);
    expect(e2).toMatchObject({ code: 'InvalidAction.NotFound' });
  });
});

describe('IMS RPC authentication (raw HTTP)', () => {
  const signed = (p: Record<string, string>, secret = SECRET, method = 'GET') => {
    const params: Record<string, string> = {
      Action: 'GetBatchMediaProducingJob',
      Version: '2020-11-09',
      Format: 'JSON',
      AccessKeyId: AK,
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      SignatureNonce: `n-${Math.random()}`,
      Timestamp: `${new Date().toISOString().slice(0, 19)}Z`,
      JobId: 'x',
      ...p,
    };
    return { ...params, Signature: rpcSignatureV1(method, params, secret) };
  };
  const get = async (p: Record<string, string>) => {
    const r = await fetch(`${service.url}/?${new URLSearchParams(p)}`);
    return { status: r.status, body: (await r.json()) as Record<string, string> };
  };

  it('refuses a wrong signature, an unknown key, a stale timestamp and a reused nonce', async () => {
    const wrong = await get(signed({}, 'not-the-secret'));
    expect(wrong).toMatchObject({ status: 400, body: { Code: 'SignatureDoesNotMatch' } });
    expect(wrong.body.RequestId).toBeTruthy();
    expect(await get(signed({ AccessKeyId: 'LTAIunknown' }))).toMatchObject({ status: 404, body: { Code: 'InvalidAccessKeyId.NotFound' } });
    const old = `${new Date(Date.now() - 20 * 60_000).toISOString().slice(0, 19)}Z`;
    expect(await get(signed({ Timestamp: old }))).toMatchObject({ status: 400, body: { Code: 'InvalidTimeStamp.Expired' } });
    const once = signed({});
    expect((await get(once)).body.Code).toBe('InvalidParameter.JobNotFound');
    expect(await get(once)).toMatchObject({ status: 400, body: { Code: 'SignatureNonceUsed' } });
    // Tampering with a signed parameter breaks the signature.
    expect(await get({ ...signed({}), JobId: 'y' })).toMatchObject({ status: 400, body: { Code: 'SignatureDoesNotMatch' } });
  });

  it('requires Action and Version 2020-11-09', async () => {
    expect(await get(signed({ Version: '2017-01-01' }))).toMatchObject({ status: 400, body: { Code: 'InvalidVersion' } });
  });
});

describe('jobs are never lost', () => {
  it('kill -9 of the server at random moments: a restart finishes the job, keeps finished outputs, leaves nothing half-written', async () => {
    const { spawn } = await import('node:child_process');
    const { existsSync, readdirSync, statSync } = await import('node:fs');
    const { join } = await import('node:path');
    const data = tempDir('rs-crash-');
    const bin = join(import.meta.dirname, '..', 'bin', 'reelsmith.js');
    const start = () =>
      new Promise<{ child: ReturnType<typeof spawn>; url: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data', data], { env: { ...process.env, REELSMITH_ACCESS_KEYS: `${AK}:${SECRET}` }, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout?.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /listening on (http:\/\/[\d.:]+)/.exec(out);
          if (m) resolve({ child, url: m[1] });
        });
        child.on('exit', (code) => reject(new Error(`server exited (${code})`)));
      });
    const clientOf = (url: string) => new RPCClient({ accessKeyId: AK, accessKeySecret: SECRET, endpoint: url, apiVersion: '2020-11-09' });
    const statusOf = async (c: typeof client, id: string) => ((await c.request('GetBatchMediaProducingJob', { JobId: id })).EditingBatchJob as { Status: string; SubJobList: { Status: string; Duration: number }[] });

    let s = await start();
    const submitted = await clientOf(s.url).request('SubmitBatchMediaProducingJob', job({ OutputConfig: JSON.stringify({ MediaURL: 'c_{index}.mp4', Count: 6, Width: 180, Height: 320, MaxDuration: 3 }) }), { method: 'POST' });
    const id = submitted.JobId as string;
    const outDir = join(data, 'outputs', id);
    const finishedBefore = new Map<string, number>();
    const made = () => (existsSync(outDir) ? readdirSync(outDir).filter((n) => n.endsWith('.mp4') && !n.startsWith('.')).length : 0);
    // Kill once in the middle of the renders (some outputs made, not all), then at a random moment.
    for (const when of ['mid', 'random'] as const) {
      if (when === 'mid') for (let i = 0; i < 600 && made() === 0; i++) await new Promise((r) => setTimeout(r, 25));
      else await new Promise((r) => setTimeout(r, 200 + Math.random() * 1500));
      for (const f of existsSync(outDir) ? readdirSync(outDir).filter((n) => n.endsWith('.mp4') && !n.startsWith('.')) : []) finishedBefore.set(f, statSync(join(outDir, f)).mtimeMs);
      s.child.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 200));
      s = await start();
    }
    const c = clientOf(s.url);
    let b = await statusOf(c, id);
    for (let i = 0; i < 400 && b.Status !== 'Finished' && b.Status !== 'Failed'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      b = await statusOf(c, id);
    }
    s.child.kill('SIGTERM');
    expect(b.Status).toBe('Finished');
    expect(b.SubJobList.map((x) => x.Status)).toEqual(Array(6).fill('Success'));
    const files = readdirSync(outDir);
    expect(files.filter((n) => n.endsWith('.part'))).toEqual([]);
    for (let i = 0; i < 6; i++) expect((await ffprobe(join(outDir, `c_${i}.mp4`))).duration).toBeGreaterThan(1.5);
    expect(finishedBefore.size).toBeGreaterThan(0);
    console.log(`kill test: ${finishedBefore.size} outputs were finished before a kill`);
    // Outputs finished before a kill were kept, not rendered again.
    for (const [f, mtime] of finishedBefore) expect(statSync(join(outDir, f)).mtimeMs).toBe(mtime);
  });
});
