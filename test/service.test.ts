/**
 * The IMS-compatible service, driven by the official Alibaba Cloud SDK client (@alicloud/pop-core,
 * signature v1) over real HTTP on loopback, and by raw HTTP for the error cases.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { iceSignature } from '../src/service/callbacks.js';
import { fetchToCache } from '../src/media/fetch.js';
import { checkPublicUrl, isPrivateAddress } from '../src/media/net.js';
import { rpcSignatureV1 } from '../src/shells/http/signature.js';
import { loadServiceConfig, type Service, startService } from '../src/shells/http/service.js';
import { ffprobe, MEDIA, media, tempDir } from './helpers.js';

const require = createRequire(import.meta.url);
const RPCClient = require('@alicloud/pop-core').RPCClient;

const AK = 'LTAI5tReelsmithTest';
const SECRET = 'test-secret-0123456789';
let service: Service;
let client: { request: (action: string, params: object, opts?: object) => Promise<Record<string, unknown>> };

beforeAll(async () => {
  // Callbacks to loopback are allowed explicitly here (refused by default).
  // Jobs here name the test media by local path: their folder is allowed explicitly (none is by default).
  service = await startService({
    port: 0,
    dataDir: tempDir('rs-service-'),
    keys: new Map([[AK, SECRET]]),
    // The key's account: callbacks carry its UserId, as IMS's do.
    accounts: new Map([[AK, 1234567890]]),
    allowPrivateUrls: true,
    callbackBaseDelayMs: 100,
    allowedMediaDirs: [MEDIA()],
  });
  client = new RPCClient({ accessKeyId: AK, accessKeySecret: SECRET, endpoint: service.url, apiVersion: '2020-11-09' });
});
afterAll(async () => {
  await service?.close();
});

const job = (extra: object = {}) => ({
  InputConfig: JSON.stringify({
    MediaGroupArray: [
      { GroupName: 'a', MediaArray: [media('storefront_opening.mp4')] },
      { GroupName: 'b', MediaArray: [media('portrait_tone.mp4')] },
    ],
  }),
  EditingConfig: JSON.stringify({ ProcessConfig: { SingleShotDuration: 1, AllowTransition: false } }),
  OutputConfig: JSON.stringify({
    MediaURL: 'https://bucket.example.com/out/clip_{index}.mp4',
    Count: 2,
    Width: 180,
    Height: 320,
    MaxDuration: 2,
  }),
  UserData: JSON.stringify({ Campaign: 'spring' }),
  ...extra,
});

/** Sub-job states seen while polling (IMS shows them during processing). */
const seenSubStates = new Set<string>();

async function waitFor(jobId: string) {
  for (let i = 0; i < 1200; i++) {
    const r = await client.request('GetBatchMediaProducingJob', { JobId: jobId }, { method: 'POST' });
    const status = (r.EditingBatchJob as { Status: string }).Status;
    for (const s of (r.EditingBatchJob as { SubJobList: { Status: string }[] }).SubJobList) seenSubStates.add(`${status}/${s.Status}`);
    if (status === 'Finished' || status === 'Failed') return r.EditingBatchJob as Record<string, unknown>;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('job did not finish');
}

/** `reelsmith serve ARGS` as its own process (the test's key in its environment), once it listens. */
function serveProcess(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'bin', 'reelsmith.js'), 'serve', ...args], {
      env: { ...process.env, REELSMITH_ACCESS_KEYS: `${AK}:${SECRET}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/[\d.:]+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
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
    const subs = b.SubJobList as { MediaURL: string; MediaId: string; Status: string; Duration: number }[];
    // MediaURL downloads the output (the service's own URL: the job's OSS name is not a place this
    // service writes to), and each output is in the media library under its MediaId, as IMS answers.
    expect(subs.map((s) => s.MediaURL)).toEqual([0, 1].map((k) => `${service.url}/outputs/${r.JobId}/clip_${k}.mp4`));
    expect(subs.every((s) => s.Status === 'Success' && s.Duration > 1.5)).toBe(true);
    for (const s of subs) {
      const got = await fetch(s.MediaURL);
      expect(got.status).toBe(200);
      const bytes = Buffer.from(await got.arrayBuffer());
      expect(bytes.subarray(4, 8).toString()).toBe('ftyp');
      expect(s.MediaId).toMatch(/^[0-9a-f]{32}$/);
      const info = (await client.request('GetMediaInfo', { MediaId: s.MediaId })).MediaInfo as {
        MediaBasicInfo: { MediaType: string; InputURL: string };
      };
      expect(info.MediaBasicInfo).toMatchObject({ MediaType: 'video', InputURL: s.MediaURL });
    }
    // The JobId filter of ListBatchMediaProducingJobs.
    const one = await client.request('ListBatchMediaProducingJobs', { JobId: r.JobId as string });
    expect((one.EditingBatchJobList as { JobId: string }[]).map((j) => j.JobId)).toEqual([r.JobId]);
    // While the job was processing, its sub-jobs were listed with their own states.
    expect([...seenSubStates].some((x) => /^Processing\/(Init|Processing|Success)$/.test(x))).toBe(true);
    // The outputs are real videos in the data folder, downloadable with range requests.
    const probe = await ffprobe(`${service.home.root}/outputs/${r.JobId}/clip_1.mp4`);
    expect(probe.streams.find((s) => s.codec_type === 'video')).toMatchObject({ width: 180, height: 320 });
    const part = await fetch(`${service.url}/outputs/${r.JobId}/clip_1.mp4`, { headers: { Range: 'bytes=0-99' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toMatch(/^bytes 0-99\/\d+$/);
    expect((await part.arrayBuffer()).byteLength).toBe(100);
    expect((await fetch(`${service.url}/outputs/${r.JobId}/../reelsmith.db`)).status).toBe(404);
  });

  it('the same ClientToken returns the same JobId and renders nothing twice (GET, query string)', async () => {
    const count = async () =>
      ((await client.request('ListBatchMediaProducingJobs', { MaxResults: 100 })).EditingBatchJobList as unknown[]).length;
    const before = await count();
    const token = `tok-${Date.now()}`;
    const a = await client.request('SubmitBatchMediaProducingJob', job({ ClientToken: token }));
    const b = await client.request('SubmitBatchMediaProducingJob', job({ ClientToken: token }));
    expect(b.JobId).toBe(a.JobId);
    await waitFor(a.JobId as string);
    expect(await service.store.unfinished()).toEqual([]);
    // One job was recorded, so one batch was rendered.
    expect(await count()).toBe(before + 1);
  });

  it('lists the voice catalogue (ListSmartVoiceGroups)', async () => {
    const r = await client.request('ListSmartVoiceGroups', {});
    const groups = r.VoiceGroups as { Type: string; VoiceList: { Voice: string; VoiceType: string }[] }[];
    expect(groups.map((g) => g.Type)).toEqual(expect.arrayContaining(['Mandarin', 'English']));
    const all = groups.flatMap((g) => g.VoiceList);
    expect(all.length).toBeGreaterThan(70);
    expect(all.find((v) => v.Voice === 'zhibei_emo')?.VoiceType).toBe('Girl');
    expect(all.find((v) => v.Voice === 'zhilun')?.VoiceType).toBe('Male');
  });

  it('lists jobs with filters and pages through them with NextToken', async () => {
    const all: string[] = [];
    let token: string | undefined;
    do {
      const r = await client.request('ListBatchMediaProducingJobs', {
        MaxResults: 1,
        JobType: 'Script',
        ...(token ? { NextToken: token } : {}),
      });
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
    const err = await client
      .request('SubmitBatchMediaProducingJob', bad, { method: 'POST' })
      .catch((e: { code: string; message: string; data: object }) => e);
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

describe('IMS API with @alicloud/openapi-client (callApi, style RPC, ACS3-HMAC-SHA256)', () => {
  const OpenApi = require('@alicloud/openapi-client');
  const Util = require('@alicloud/tea-util');
  const call = async (action: string, query: Record<string, string>, method = 'POST', secret = SECRET) => {
    const port = new URL(service.url).port;
    const c = new OpenApi.default(
      new OpenApi.Config({ accessKeyId: AK, accessKeySecret: secret, endpoint: `127.0.0.1:${port}`, protocol: 'HTTP' }),
    );
    const params = new OpenApi.Params({
      action,
      version: '2020-11-09',
      protocol: 'HTTP',
      pathname: '/',
      method,
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const r = await c.callApi(params, new OpenApi.OpenApiRequest({ query }), new Util.RuntimeOptions({}));
    return r.body as Record<string, unknown>;
  };

  it('submits and gets a job', async () => {
    const r = await call('SubmitBatchMediaProducingJob', job());
    expect(r.JobId).toMatch(/^[0-9a-f]{32}$/);
    const b = await waitFor(r.JobId as string);
    expect(b.Status).toBe('Finished');
    const g = await call('GetBatchMediaProducingJob', { JobId: r.JobId as string }, 'GET');
    expect((g.EditingBatchJob as { SubJobList: unknown[] }).SubJobList).toHaveLength(2);
  });

  it('answers every other action too', async () => {
    const list = await call('ListBatchMediaProducingJobs', { MaxResults: '5' }, 'GET');
    expect(Array.isArray(list.EditingBatchJobList)).toBe(true);
    expect(list.MaxResults).toBe(5);
    const voices = await call('ListSmartVoiceGroups', {});
    expect((voices.VoiceGroups as unknown[]).length).toBeGreaterThan(1);
    expect(await call('GetEventCallback', {})).toHaveProperty('CallbackType', 'HTTP');
    expect(
      await call('SetEventCallback', { CallbackURL: 'https://example.com/cb', EventTypeList: 'None', AuthSwitch: 'off' }),
    ).toMatchObject({ Success: true });
    expect(await call('ListMediaBasicInfos', { MaxResults: '10' })).toHaveProperty('TotalCount');
    const e = await call('GetMediaInfo', { MediaId: '0'.repeat(32) }).catch((x: { code: string }) => x);
    expect(e).toMatchObject({ code: 'InvalidParameter.ResourceNotFound' });
    expect(await call('DeleteMediaInfos', { MediaIds: '0'.repeat(32) })).toMatchObject({ IgnoredList: ['0'.repeat(32)] });
    const r = await call('RegisterMediaInfo', { InputURL: 'ftp://example.com/x.mp4' }).catch((x: { code: string }) => x);
    expect(r).toMatchObject({ code: 'InvalidParameter' });
  });

  it("checks each action's parameters by its schema and names the parameter in the refusal, as IMS does", async () => {
    const refused = (action: string, q: Record<string, string>) =>
      call(action, q).then(
        () => ({ code: 'answered', message: '' }),
        (x: { code: string; message: string }) => x,
      );
    const cases: [string, Record<string, string>, string, RegExp][] = [
      ['ListBatchMediaProducingJobs', { Status: 'Done' }, 'InvalidParameter', /Status: must be Init, Processing, Finished or Failed/],
      ['ListBatchMediaProducingJobs', { MaxResults: '0' }, 'InvalidParameter', /MaxResults: must be an integer from 1 to 100/],
      ['ListBatchMediaProducingJobs', { StartTime: 'yesterday' }, 'InvalidParameter', /StartTime: must be a UTC time/],
      ['GetBatchMediaProducingJob', {}, 'MissingParameter', /"JobId"/],
      ['SubmitBatchMediaProducingJob', { InputConfig: '{}' }, 'MissingParameter', /"OutputConfig"/],
      [
        'SetEventCallback',
        { CallbackURL: 'https://example.com/cb', AuthSwitch: 'ON', AuthKey: 'weak' },
        'InvalidParameter',
        /AuthKey: up to 32/,
      ],
      ['SetEventCallback', { CallbackURL: 'https://example.com/cb', CallbackType: 'MNS' }, 'InvalidParameter', /CallbackType: only HTTP/],
      [
        'RegisterMediaInfo',
        { InputURL: 'https://example.com/x.mp4', MediaType: 'sound' },
        'InvalidParameter',
        /MediaType: must be video, image or audio/,
      ],
      ['GetMediaInfo', {}, 'MissingParameter', /One of "MediaId" and "InputURL" is required/],
      ['DeleteMediaInfos', { MediaIds: ' , ' }, 'MissingParameter', /One of "MediaIds" and "InputURLs" is required/],
    ];
    for (const [action, q, code, message] of cases) {
      const e = await refused(action, q);
      expect(e.code, `${action} ${JSON.stringify(q)}`).toBe(code);
      expect(e.message).toMatch(message);
    }
  });

  it('refuses a wrong secret with SignatureDoesNotMatch', async () => {
    const err = await call('GetBatchMediaProducingJob', { JobId: 'x' }, 'POST', 'wrong-secret').catch(
      (e: { code: string; statusCode: number }) => e,
    );
    expect(err).toMatchObject({ code: 'SignatureDoesNotMatch', statusCode: 400 });
  });
});

describe('media library through the API', () => {
  it('registers media from a URL, describes them, lists them, uses their IDs in a job, deletes them', async () => {
    const { readFileSync } = await import('node:fs');
    const files: Record<string, Buffer> = {
      '/a.mp4': readFileSync(media('storefront_opening.mp4')),
      '/b.png': readFileSync(media('fresh_fruit.png')),
    };
    const host = createServer((req, res) => {
      const body = files[req.url ?? ''];
      res.statusCode = body ? 200 : 404;
      res.end(body);
    });
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(host.address() as { port: number }).port}`;
    try {
      const a = await client.request(
        'RegisterMediaInfo',
        { InputURL: `${base}/a.mp4`, MediaType: 'video', Title: 'Storefront', Description: 'Opening day', MediaTags: 'store,opening' },
        { method: 'POST' },
      );
      const b = await client.request('RegisterMediaInfo', { InputURL: `${base}/b.png`, Title: 'Fruit' }, { method: 'POST' });
      expect(a.MediaId).toMatch(/^[0-9a-f]{32}$/);
      const again = await client.request('RegisterMediaInfo', { InputURL: `${base}/a.mp4` }, { method: 'POST' });
      expect(again.MediaId).toBe(a.MediaId);
      const info = (await client.request('GetMediaInfo', { MediaId: a.MediaId })).MediaInfo as {
        MediaBasicInfo: Record<string, string>;
        FileInfoList: { FileBasicInfo: Record<string, string | number> }[];
      };
      expect(info.MediaBasicInfo).toMatchObject({
        MediaId: a.MediaId,
        MediaType: 'video',
        Title: 'Storefront',
        Description: 'Opening day',
        MediaTags: 'store,opening',
        InputURL: `${base}/a.mp4`,
        Status: 'Normal',
      });
      expect(Number(info.FileInfoList[0].FileBasicInfo.Duration)).toBeGreaterThan(5);
      expect(info.FileInfoList[0].FileBasicInfo.FileSize).toBe(files['/a.mp4'].length);
      const list = await client.request('ListMediaBasicInfos', { MediaType: 'image', MaxResults: 10 });
      expect((list.MediaInfos as { MediaId: string }[]).map((x) => x.MediaId)).toEqual([b.MediaId]);
      expect(list.TotalCount).toBe(1);
      const missing = await client.request('RegisterMediaInfo', { InputURL: `${base}/none.mp4` }).catch((e: { code: string }) => e);
      expect(missing).toMatchObject({ code: 'InvalidMaterial.NotFound' });
      // A job names the media by ID.
      const r = await client.request(
        'SubmitBatchMediaProducingJob',
        job({
          InputConfig: JSON.stringify({
            MediaGroupArray: [
              { GroupName: 'a', MediaArray: [a.MediaId] },
              { GroupName: 'b', MediaArray: [b.MediaId] },
            ],
          }),
        }),
        { method: 'POST' },
      );
      const done = await waitFor(r.JobId as string);
      expect(done.Status).toBe('Finished');
      expect((done.SubJobList as { Status: string }[]).map((x) => x.Status)).toEqual(['Success', 'Success']);
      const del = await client.request('DeleteMediaInfos', { MediaIds: `${a.MediaId},${'0'.repeat(32)}` }, { method: 'POST' });
      expect(del).toMatchObject({ ForbiddenList: [], IgnoredList: ['0'.repeat(32)] });
      const gone = await client.request('GetMediaInfo', { MediaId: a.MediaId }).catch((e: { code: string }) => e);
      expect(gone).toMatchObject({ code: 'InvalidParameter.ResourceNotFound' });
    } finally {
      host.close();
    }
  });
});

describe('REST API (/api/v1) with its OpenAPI document', () => {
  const rest = async (method: string, path: string, body?: object, auth = `Bearer ${AK}:${SECRET}`) => {
    const r = await fetch(`${service.url}${path}`, {
      method,
      headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  it('submits, gets and lists jobs with plain JSON; refuses requests without a key', async () => {
    const j = job();
    const created = await rest('POST', '/api/v1/jobs', {
      InputConfig: JSON.parse(j.InputConfig),
      EditingConfig: JSON.parse(j.EditingConfig),
      OutputConfig: JSON.parse(j.OutputConfig),
    });
    expect(created.status).toBe(201);
    const id = created.body.JobId as string;
    await waitFor(id);
    const got = await rest('GET', `/api/v1/jobs/${id}`);
    expect(got).toMatchObject({ status: 200, body: { EditingBatchJob: { JobId: id, Status: 'Finished' } } });
    const list = await rest('GET', '/api/v1/jobs?maxResults=2&status=Finished');
    expect((list.body.EditingBatchJobList as unknown[]).length).toBe(2);
    expect(await rest('GET', `/api/v1/jobs/${id}`, undefined, 'Bearer nobody:nothing')).toMatchObject({ status: 401 });
    expect(await rest('GET', '/api/v1/jobs/nope')).toMatchObject({ status: 404, body: { Code: 'InvalidParameter.JobNotFound' } });
    const bad = await rest('POST', '/api/v1/jobs', { InputConfig: {}, OutputConfig: { MediaURL: 'x_{index}.mp4' } });
    expect(bad.status).toBe(400);
    expect((await rest('GET', '/api/v1/voices')).body.VoiceGroups).toBeTruthy();
  });

  it('describes every route in /api/v1/openapi.json', async () => {
    const doc = (await (await fetch(`${service.url}/api/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    for (const [path, methods] of [
      ['/api/v1/jobs', ['post', 'get']],
      ['/api/v1/jobs/{id}', ['get']],
      ['/api/v1/media', ['post', 'get']],
      ['/api/v1/media/{id}', ['get', 'put', 'delete']],
      ['/api/v1/voices', ['get']],
      ['/api/v1/event-callback', ['get', 'put']],
      ['/api/v1/job.schema.json', ['get']],
      ['/api/v1/jobs/{id}/events', ['get']],
      ['/api/v1/jobs/validate', ['post']],
      ['/api/v1/jobs/preview', ['post']],
      ['/api/v1/console/sign-in', ['post']],
      ['/api/v1/media/uploads', ['post']],
      ['/api/v1/media/uploads/{id}', ['get', 'patch']],
      ['/api/v1/access-keys', ['get', 'post']],
      ['/api/v1/access-keys/{id}', ['delete']],
      ['/api/v1/previews/caption', ['post']],
      ['/api/v1/media/{id}/link', ['get']],
      ['/api/v1/previews/{kind}/{name}', ['get']],
      ['/api/v1/jobs/{id}/outputs.zip', ['get']],
      ['/api/v1/jobs/{id}/outputs/{index}/render', ['post']],
      ['/api/v1/media/upload', ['put']],
      ['/api/v1/media/{id}/thumbnail', ['get']],
      ['/api/v1/voices/sample', ['post']],
    ] as const) {
      for (const m of methods) expect(doc.paths[path]?.[m], `${m} ${path}`).toBeTruthy();
    }
  });

  it('answers /healthz without a key while its database answers', async () => {
    const r = await fetch(`${service.url}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ Status: 'ok', Database: 'ok' });
  });

  it('publishes the job format as a JSON Schema at /api/v1/job.schema.json, without a key', async () => {
    const r = await fetch(`${service.url}/api/v1/job.schema.json`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/schema\+json/);
    const schema = (await r.json()) as { $schema: string; required: string[]; properties: Record<string, unknown> };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(['InputConfig']);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['InputConfig', 'EditingConfig', 'OutputConfig', 'UserData']));
  });
});

describe('callbacks', () => {
  it('POSTs BatchProduceMediaComplete to NotifyAddress and the global callback, signed, retried until 2xx', async () => {
    const got: { path: string; headers: Record<string, string | string[] | undefined>; body: Record<string, unknown> }[] = [];
    let failFirst = true;
    const receiver = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => {
        text += c;
      });
      req.on('end', () => {
        got.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(text) });
        if (req.url === '/notify' && failFirst) {
          failFirst = false;
          res.statusCode = 503;
        }
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
    try {
      const set = await client.request(
        'SetEventCallback',
        {
          CallbackURL: `${base}/global`,
          EventTypeList: 'BatchProduceMediaComplete,ProduceMediaComplete',
          AuthSwitch: 'on',
          AuthKey: 'Reel5mithKey',
        },
        { method: 'POST' },
      );
      expect(set.Success).toBe(true);
      expect(await client.request('GetEventCallback', {})).toMatchObject({
        CallbackType: 'HTTP',
        CallbackURL: `${base}/global`,
        AuthSwitch: 'on',
        AuthKey: 'Reel5mithKey',
      });
      const userData = JSON.stringify({ NotifyAddress: `${base}/notify`, Batch: 7 });
      const r = await client.request('SubmitBatchMediaProducingJob', job({ UserData: userData }), { method: 'POST' });
      await waitFor(r.JobId as string);
      for (
        let i = 0;
        i < 100 && (got.filter((g) => g.path === '/notify').length < 2 || got.filter((g) => g.path === '/global').length < 3);
        i++
      )
        await new Promise((res) => setTimeout(res, 100));
      const notify = got.filter((g) => g.path === '/notify');
      const perOutput = got.filter((g) => g.path === '/global' && g.body.EventType === 'ProduceMediaComplete');
      const global = got.filter((g) => g.path === '/global' && g.body.EventType === 'BatchProduceMediaComplete');
      expect(notify).toHaveLength(2); // 503 first, then delivered
      expect(global).toHaveLength(1);
      // Per-output events, asked for in EventTypeList.
      expect(perOutput.map((g) => (g.body.MessageBody as { MediaURL: string }).MediaURL).sort()).toEqual(
        [0, 1].map((k) => `${service.url}/outputs/${r.JobId}/clip_${k}.mp4`),
      );
      for (const g of perOutput) expect((g.body.MessageBody as { MediaId: string }).MediaId).toMatch(/^[0-9a-f]{32}$/);
      for (const g of perOutput) expect(g.body.MessageBody).toMatchObject({ Status: 'Success', JobId: r.JobId, UserData: userData });
      for (const g of got) expect(g.body.UserId).toBe(1234567890);
      for (const g of [...notify, ...global]) {
        expect(g.body).toMatchObject({
          EventType: 'BatchProduceMediaComplete',
          MessageBody: { Status: 'Finished', JobId: r.JobId, UserData: userData },
        });
        expect(g.body.EventTime).toMatch(/Z$/);
        const ts = Number(g.headers['x-ice-timestamp']);
        expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(60);
        expect(g.headers['x-ice-signature']).toBe(iceSignature(`${base}${g.path}`, ts, 'Reel5mithKey'));
      }
      // The receiver sees a request before the sender has read its answer and recorded it: wait for the records to settle.
      const settled = async () =>
        (await service.callbacks.deliveries(r.JobId as string)).filter((a) => a.event_type === 'BatchProduceMediaComplete');
      let attempts = await settled();
      for (let i = 0; i < 50 && attempts.some((a) => a.status === 'pending'); i++) {
        await new Promise((res) => setTimeout(res, 100));
        attempts = await settled();
      }
      expect(attempts.map((a) => [a.url, a.status, a.attempts])).toEqual([
        [`${base}/notify`, 'delivered', 2],
        [`${base}/global`, 'delivered', 1],
      ]);
      // …and visible through the API.
      const seen = await fetch(`${service.url}/api/v1/jobs/${r.JobId}/callbacks`, { headers: { authorization: `Bearer ${AK}:${SECRET}` } });
      const list = (
        (await seen.json()) as { Deliveries: { URL: string; EventType: string; Status: string; Attempts: number }[] }
      ).Deliveries.filter((d) => d.EventType === 'BatchProduceMediaComplete');
      expect(list.map((d) => [d.URL, d.Status, d.Attempts])).toEqual([
        [`${base}/notify`, 'delivered', 2],
        [`${base}/global`, 'delivered', 1],
      ]);
    } finally {
      receiver.close();
      await client.request('SetEventCallback', { CallbackURL: 'https://example.com/none', EventTypeList: 'None', AuthSwitch: 'off' });
    }
  });

  it('refuses callback and media addresses on loopback, private and link-local networks unless allowed', async () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
    ])
      expect(isPrivateAddress(ip), ip).toBe(true);
    for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700::1111']) expect(isPrivateAddress(ip), ip).toBe(false);
    await expect(checkPublicUrl('http://127.0.0.1:9/x', false)).rejects.toThrow(/private or loopback/);
    await expect(checkPublicUrl('http://localhost:9/x', false)).rejects.toThrow(/private or loopback/);
    await expect(checkPublicUrl('ftp://example.com/x', false)).rejects.toThrow(/only http/);
    await expect(checkPublicUrl('http://127.0.0.1:9/x', true)).resolves.toBeUndefined();
    // Materials: with private URLs refused (the service's default), a loopback URL is refused by name.
    await expect(fetchToCache('http://127.0.0.1:9/clip.mp4', { cacheDir: tempDir(), allowPrivate: false })).rejects.toThrow(
      /127\.0\.0\.1.*private or loopback/,
    );
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

describe('hostile requests with a valid key', () => {
  const refusal = (params: object) =>
    client.request('SubmitBatchMediaProducingJob', params, { method: 'POST' }).then(
      () => {
        throw new Error('accepted');
      },
      (e: { code: string; message: string; data: { Message: string } }) => e,
    );

  it('refuses local paths in API jobs by name alone: the answer is the same whether the file exists or not', async () => {
    const inputs = (path: string) => JSON.stringify({ MediaGroupArray: [{ GroupName: 'a', MediaArray: [path] }] });
    const exists = await refusal(job({ InputConfig: inputs('/etc/passwd') }));
    const missing = await refusal(job({ InputConfig: inputs('/etc/no-such-file') }));
    expect(exists.code).toBe('InvalidParameter');
    expect(exists.data.Message).toBe(
      'InputConfig.MediaGroupArray[0].MediaArray[0]: "/etc/passwd": local files are not accepted through the API (use http(s) URLs or media IDs; an operator may allow folders with allowedMediaDirs)',
    );
    expect(missing.data.Message).toBe(exists.data.Message.replace('/etc/passwd', '/etc/no-such-file'));
    const fileUrl = await refusal(job({ InputConfig: inputs('file:///etc/passwd') }));
    expect(fileUrl.data.Message).toContain('local files are not accepted through the API');
  });

  it('refuses a SpeechLanguage that names a file at submit, and no line of that file reaches the answer', async () => {
    const e = await refusal(
      job({ EditingConfig: JSON.stringify({ SpeechConfig: { SpeechLanguage: '../../../../../../../etc/passwd' } }) }),
    );
    expect(e.code).toBe('InvalidParameter');
    expect(e.data.Message).toMatch(/^EditingConfig\.SpeechConfig\.SpeechLanguage: unknown language "\.\.\/.*"; valid: zh, /);
    expect(e.data.Message).not.toMatch(/root:|nologin/);
  });

  it('refuses a ClientToken reused with other parameters (IdempotentParameterMismatch), as IMS does', async () => {
    const first = await client.request('SubmitBatchMediaProducingJob', job({ ClientToken: 'reuse-1' }), { method: 'POST' });
    const other = await refusal(job({ ClientToken: 'reuse-1', UserData: JSON.stringify({ Campaign: 'autumn' }) }));
    expect(other.code).toBe('IdempotentParameterMismatch');
    const same = await client.request('SubmitBatchMediaProducingJob', job({ ClientToken: 'reuse-1' }), { method: 'POST' });
    expect(same.JobId).toBe(first.JobId);
    await waitFor(first.JobId as string);
  });

  it('fails a job that keeps stopping the service after five starts without progress, with the reason, and renders nothing', async () => {
    const { id } = await service.store.create({
      jobType: 'Script',
      inputConfig: job().InputConfig,
      editingConfig: job().EditingConfig,
      outputConfig: job().OutputConfig,
    });
    for (let i = 0; i < 5; i++) await service.store.countAttempt(id); // five starts that never made an output
    service.runner.enqueue(id);
    const b = await waitFor(id);
    expect(b.Status).toBe('Failed');
    expect(JSON.parse(b.Extend as string)).toEqual({
      ErrorCode: 'JobAttemptsExceeded',
      ErrorMessage: expect.stringContaining('started 5 times'),
    });
    expect(b.SubJobList).toEqual([]);
  });

  it('a job refused while it runs says which field, never a server path', async () => {
    const r = await client.request(
      'SubmitBatchMediaProducingJob',
      job({ InputConfig: JSON.stringify({ MediaArray: ['0123456789abcdef0123456789abcdef'] }) }),
      { method: 'POST' },
    );
    const b = await waitFor(r.JobId as string);
    expect(b.Status).toBe('Failed');
    const extend = JSON.parse(b.Extend as string) as { ErrorCode: string; ErrorMessage: string };
    expect(extend).toEqual({
      ErrorCode: 'InvalidParameter',
      ErrorMessage: expect.stringMatching(
        /^InputConfig\.MediaArray\[0\]: material 0123456789abcdef0123456789abcdef not found: no such media ID/,
      ),
    });
    expect(extend.ErrorMessage).not.toContain(service.home.root);
  });
});

describe('configuration is passed in', () => {
  it('two services in one process share nothing: each its own data folder and address policy', async () => {
    const { readFileSync, existsSync } = await import('node:fs');
    const files = createServer((_req, res) => res.end(readFileSync(media('rgb_parts.mp4'))));
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(files.address() as { port: number }).port}/clip.mp4`;
    const strict = await startService({
      port: 0,
      dataDir: tempDir('rs-strict-'),
      keys: new Map([[AK, SECRET]]),
      allowedMediaDirs: [MEDIA()],
    });
    try {
      const c = new RPCClient({ accessKeyId: AK, accessKeySecret: SECRET, endpoint: strict.url, apiVersion: '2020-11-09' });
      // the strict service refuses a loopback address; the first service (private URLs allowed) still takes it
      const refused = await c.request('RegisterMediaInfo', { InputURL: url }, { method: 'POST' }).catch((e: { code: string }) => e);
      expect(refused).toMatchObject({ code: 'InvalidParameter' });
      expect((await client.request('RegisterMediaInfo', { InputURL: url }, { method: 'POST' })).MediaId).toMatch(/^[0-9a-f]{32}$/);
      // each renders into its own data folder
      const r = await c.request('SubmitBatchMediaProducingJob', job(), { method: 'POST' });
      for (let i = 0; i < 600 && !existsSync(`${strict.home.root}/outputs/${r.JobId}/clip_1.mp4`); i++)
        await new Promise((res) => setTimeout(res, 50));
      expect(existsSync(`${strict.home.root}/outputs/${r.JobId}/clip_1.mp4`)).toBe(true);
      expect(existsSync(`${service.home.root}/outputs/${r.JobId}`)).toBe(false);
      expect(strict.home.root).not.toBe(service.home.root);
    } finally {
      await strict.runner.idle();
      await strict.close();
      files.close();
    }
  });
});

describe('a slow job does not hold the others', () => {
  it('a material that trickles is cut by the idle limit with a clear reason, while a job submitted after it finishes', async () => {
    const { createServer } = await import('node:http');
    let trickles = 0;
    const slow = createServer((_req, res) => {
      trickles++;
      res.writeHead(200, { 'content-type': 'video/mp4' });
      res.write(Buffer.alloc(16)); // and then nothing
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const port = (slow.address() as { port: number }).port;
    const s = await startService({
      port: 0,
      dataDir: tempDir('rs-slow-'),
      keys: new Map([[AK, SECRET]]),
      allowPrivateUrls: true,
      allowedMediaDirs: [MEDIA()],
      download: { idleTimeoutMs: 3000 },
    });
    try {
      const c = new RPCClient({ accessKeyId: AK, accessKeySecret: SECRET, endpoint: s.url, apiVersion: '2020-11-09' });
      const stuck = await c.request(
        'SubmitBatchMediaProducingJob',
        job({ InputConfig: JSON.stringify({ MediaArray: [`http://127.0.0.1:${port}/slow.mp4`] }) }),
        { method: 'POST' },
      );
      const quick = await c.request('SubmitBatchMediaProducingJob', job(), { method: 'POST' });
      const state = async (id: unknown) =>
        (await c.request('GetBatchMediaProducingJob', { JobId: id })).EditingBatchJob as {
          Status: string;
          Extend: string;
          SubJobList: { ErrorMessage: string }[];
        };
      let q = await state(quick.JobId);
      for (let i = 0; i < 600 && q.Status !== 'Finished'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        q = await state(quick.JobId);
      }
      expect(q.Status).toBe('Finished');
      let st = await state(stuck.JobId);
      for (let i = 0; i < 600 && st.Status !== 'Finished' && st.Status !== 'Failed'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        st = await state(stuck.JobId);
      }
      expect(trickles).toBeGreaterThan(0);
      expect(JSON.stringify(st)).toMatch(/download cut: nothing received for 3 s/);
    } finally {
      await s.close();
      slow.closeAllConnections();
      slow.close();
    }
  });
});

describe('transient failures', () => {
  it('retries a material download that fails transiently (503), never a missing one (404), and gives up on a lasting 500', async () => {
    const { readFileSync } = await import('node:fs');
    const clip = readFileSync(media('storefront_opening.mp4'));
    const hits: Record<string, number> = {};
    const host = createServer((req, res) => {
      const path = req.url ?? '';
      hits[path] = (hits[path] ?? 0) + 1;
      if (path === '/flaky.mp4' && hits[path] < 3) res.statusCode = 503;
      else if (path === '/down.mp4') res.statusCode = 500;
      else if (path !== '/flaky.mp4') res.statusCode = 404;
      res.end(res.statusCode === 200 ? clip : 'no');
    });
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(host.address() as { port: number }).port}`;
    const opts = { cacheDir: tempDir(), retryDelaysMs: [50, 100] };
    try {
      const file = await fetchToCache(`${base}/flaky.mp4`, opts);
      expect(readFileSync(file).equals(clip)).toBe(true);
      expect(hits['/flaky.mp4']).toBe(3);
      await expect(fetchToCache(`${base}/missing.mp4`, opts)).rejects.toMatchObject({ code: 'InvalidMaterial.NotFound' });
      expect(hits['/missing.mp4']).toBe(1);
      await expect(fetchToCache(`${base}/down.mp4`, opts)).rejects.toMatchObject({ code: 'InvalidMaterial.Unreadable' });
      expect(hits['/down.mp4']).toBe(3);
    } finally {
      host.close();
    }
  });
});

describe('configuration', () => {
  it('reads a JSON file, lets the environment add keys and override, and names unknown settings', async () => {
    const { writeFileSync } = await import('node:fs');
    const dir = tempDir();
    const file = `${dir}/reelsmith.json`;
    writeFileSync(file, JSON.stringify({ port: 9090, data: '/srv/x', accessKeys: { LTAIfile: 's1' }, maxQueued: 5 }));
    const c = await loadServiceConfig(file, { REELSMITH_ACCESS_KEYS: 'LTAIenv:s2', REELSMITH_ALLOW_PRIVATE_URLS: '1' });
    expect(c).toMatchObject({ port: 9090, dataDir: '/srv/x', maxQueued: 5, allowPrivateUrls: true });
    expect([...c.keys]).toEqual([
      ['LTAIfile', 's1'],
      ['LTAIenv', 's2'],
    ]);
    expect((await loadServiceConfig(file, { REELSMITH_PORT: '7000' })).port).toBe(7000);
    // An account per key (callbacks' UserId): {"secret", "userId"} in the file, id:secret:userId in the environment.
    writeFileSync(file, JSON.stringify({ accessKeys: { LTAIfile: { secret: 's1', userId: 42 }, LTAIplain: 's3' } }));
    const withAccounts = await loadServiceConfig(file, { REELSMITH_ACCESS_KEYS: 'LTAIenv:s2:77' });
    expect([...withAccounts.keys]).toEqual([
      ['LTAIfile', 's1'],
      ['LTAIplain', 's3'],
      ['LTAIenv', 's2'],
    ]);
    expect([...(withAccounts.accounts ?? [])]).toEqual([
      ['LTAIfile', 42],
      ['LTAIenv', 77],
    ]);
    writeFileSync(file, JSON.stringify({ prot: 1 }));
    await expect(loadServiceConfig(file, {})).rejects.toThrow(/unknown setting\(s\) prot/);
    await expect(loadServiceConfig(file, { REELSMITH_ACCESS_KEYS: 'nocolon' })).rejects.toThrow();
  });
});

describe('a bounded queue', () => {
  it('answers Throttling.User (429) when the queue is full, and still answers a retried ClientToken', async () => {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = tempDir('rs-throttle-');
    writeFileSync(
      join(dir, 'cfg.json'),
      JSON.stringify({ port: 0, data: dir, maxQueued: 1, accessKeys: { [AK]: SECRET }, allowedMediaDirs: [MEDIA()] }),
    );
    const { child, url } = await serveProcess(['--config', join(dir, 'cfg.json')]);
    try {
      const c = new RPCClient({ accessKeyId: AK, accessKeySecret: SECRET, endpoint: url, apiVersion: '2020-11-09' });
      const first = await c.request('SubmitBatchMediaProducingJob', job({ ClientToken: 'first' }), { method: 'POST' });
      const second = await c
        .request('SubmitBatchMediaProducingJob', job(), { method: 'POST' })
        .catch((e: { code: string; entry: { response: { statusCode: number } } }) => e);
      expect(second).toMatchObject({ code: 'Throttling.User', entry: { response: { statusCode: 429 } } });
      const again = await c.request('SubmitBatchMediaProducingJob', job({ ClientToken: 'first' }), { method: 'POST' });
      expect(again.JobId).toBe(first.JobId);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('jobs are never lost', () => {
  /** Pids of the processes named `name` whose parent is `ppid` (from /proc). */
  const childrenOf = async (ppid: number, name: string) => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const out: number[] = [];
    for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (parent === ppid && comm === name) out.push(Number(d));
      } catch {
        // gone meanwhile
      }
    }
    return out;
  };

  it('kill -9 of the server takes its FFmpeg renders with it (none keeps running on its own)', async () => {
    const { existsSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const data = tempDir('rs-leash-');
    const cfg = join(data, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ allowedMediaDirs: [MEDIA()], log: false }));
    const { child, url } = await serveProcess(['--port', '0', '--data', data, '--config', cfg]);
    const c = new RPCClient({ accessKeyId: AK, accessKeySecret: SECRET, endpoint: url, apiVersion: '2020-11-09' });
    await c.request(
      'SubmitBatchMediaProducingJob',
      job({ OutputConfig: JSON.stringify({ MediaURL: 'big_{index}.mp4', Count: 2, Width: 1080, Height: 1920, MaxDuration: 10 }) }),
      { method: 'POST' },
    );
    let renders: number[] = [];
    for (let i = 0; i < 600 && renders.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      renders = await childrenOf(child.pid!, 'ffmpeg');
    }
    expect(renders.length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      renders.filter(
        (pid) =>
          existsSync(`/proc/${pid}`) &&
          !/^\S+ \(\S+\) Z/.test((require('node:fs') as typeof import('node:fs')).readFileSync(`/proc/${pid}/stat`, 'utf8')),
      ),
    ).toEqual([]);
  });

  it('kill -9 of the server at random moments: a restart finishes the job, keeps finished outputs, leaves nothing half-written', async () => {
    const { existsSync, readdirSync, statSync } = await import('node:fs');
    const { join } = await import('node:path');
    const data = tempDir('rs-crash-');
    const cfg = join(data, 'cfg.json');
    (await import('node:fs')).writeFileSync(cfg, JSON.stringify({ allowedMediaDirs: [MEDIA()], log: false }));
    const start = () => serveProcess(['--port', '0', '--data', data, '--config', cfg]);
    const clientOf = (url: string) => new RPCClient({ accessKeyId: AK, accessKeySecret: SECRET, endpoint: url, apiVersion: '2020-11-09' });
    const statusOf = async (c: typeof client, id: string) =>
      (await c.request('GetBatchMediaProducingJob', { JobId: id })).EditingBatchJob as {
        Status: string;
        SubJobList: { Status: string; Duration: number }[];
      };

    let s = await start();
    const submitted = await clientOf(s.url).request(
      'SubmitBatchMediaProducingJob',
      job({ OutputConfig: JSON.stringify({ MediaURL: 'c_{index}.mp4', Count: 6, Width: 180, Height: 320, MaxDuration: 3 }) }),
      { method: 'POST' },
    );
    const id = submitted.JobId as string;
    const outDir = join(data, 'outputs', id);
    const finishedBefore = new Map<string, number>();
    const made = () => (existsSync(outDir) ? readdirSync(outDir).filter((n) => n.endsWith('.mp4') && !n.startsWith('.')).length : 0);
    // Kill once in the middle of the renders (some outputs made, not all), then twice at random moments.
    for (const when of ['mid', 'random', 'random'] as const) {
      if (when === 'mid') for (let i = 0; i < 600 && made() === 0; i++) await new Promise((r) => setTimeout(r, 25));
      else await new Promise((r) => setTimeout(r, 200 + Math.random() * 1500));
      for (const f of existsSync(outDir) ? readdirSync(outDir).filter((n) => n.endsWith('.mp4') && !n.startsWith('.')) : [])
        finishedBefore.set(f, statSync(join(outDir, f)).mtimeMs);
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
