/**
 * The scaled deployment's database: the same service, store, media library, nonces and callbacks
 * on a real PostgreSQL (a throwaway cluster, test/postgres.ts), driven by the official SDK client
 * over loopback HTTP, and several processes on one database at once.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/storage/db.js';
import { type Service, type ServiceOptions, startService } from '../src/shells/http/service.js';
import { MEDIA, media, tempDir } from './helpers.js';
import { expectMp4At, type ImsClient, imsClient, jobEnd } from './ims.js';
import { failedOutputAgain } from './rerender.js';
import { startPostgres, type TestPostgres } from './postgres.js';

const AK = 'LTAI5tReelsmithPg';
const SECRET = 'pg-secret-0123456789';

let postgres: TestPostgres;
let service: Service;
let client: ImsClient;

const start = (database: string, o: Partial<ServiceOptions> = {}) =>
  startService({
    port: 0,
    dataDir: tempDir('rs-pg-service-'),
    database,
    keys: new Map([[AK, SECRET]]),
    allowedMediaDirs: [MEDIA()],
    // On PostgreSQL the service renders only when told to (else its workers do).
    concurrentJobs: 2,
    ...o,
  });
const clientOf = (s: Service) => imsClient(s.url, AK, SECRET);

beforeAll(async () => {
  postgres = await startPostgres();
  service = await start(postgres.url);
  client = clientOf(service);
}, 120_000);
afterAll(async () => {
  await service?.close();
  await postgres?.stop();
});

const job = (extra: object = {}) => ({
  InputConfig: JSON.stringify({
    MediaGroupArray: [
      { GroupName: 'a', MediaArray: [media('storefront_opening.mp4')] },
      { GroupName: 'b', MediaArray: [media('fresh_fruit.png')] },
    ],
  }),
  EditingConfig: JSON.stringify({ ProcessConfig: { SingleShotDuration: 1, AllowTransition: false } }),
  OutputConfig: JSON.stringify({ MediaURL: 'pg_{index}.mp4', Count: 2, Width: 180, Height: 320, MaxDuration: 2 }),
  ...extra,
});

describe('the service on PostgreSQL', () => {
  it('runs a job end to end: its record, sub-jobs and outputs’ media IDs live in PostgreSQL', async () => {
    const r = await client.request('SubmitBatchMediaProducingJob', job({ ClientToken: 'pg-order-1' }), { method: 'POST' });
    const b = await jobEnd(client, r.JobId as string);
    expect(b.Status).toBe('Finished');
    const subs = b.SubJobList as { Status: string; MediaURL: string; MediaId: string; Duration: number }[];
    expect(subs.map((s) => s.Status)).toEqual(['Success', 'Success']);
    for (const s of subs) {
      await expectMp4At(s.MediaURL);
      const info = (await client.request('GetMediaInfo', { MediaId: s.MediaId })).MediaInfo as { MediaBasicInfo: { MediaType: string } };
      expect(info.MediaBasicInfo.MediaType).toBe('video');
    }
    // Really in PostgreSQL, as a plain SQL client sees it.
    const sqlClient = new pg.Client({ connectionString: postgres.url });
    await sqlClient.connect();
    try {
      const row = await sqlClient.query('select status, client_token from batch_jobs where id = $1', [r.JobId]);
      expect(row.rows).toEqual([{ status: 'Finished', client_token: 'pg-order-1' }]);
      const sizes = await sqlClient.query("select size from media where input_url like '%/outputs/%'");
      expect(sizes.rows.length).toBe(2);
      for (const x of sizes.rows) expect(Number(x.size)).toBeGreaterThan(1000);
    } finally {
      await sqlClient.end();
    }
    // The same token again: the same job; with other parameters: refused, as IMS does.
    expect((await client.request('SubmitBatchMediaProducingJob', job({ ClientToken: 'pg-order-1' }))).JobId).toBe(r.JobId);
    const mismatch = await client
      .request('SubmitBatchMediaProducingJob', job({ ClientToken: 'pg-order-1', UserData: '{"x":1}' }))
      .catch((e: { code: string }) => e);
    expect(mismatch).toMatchObject({ code: 'IdempotentParameterMismatch' });
  });

  it('pages through jobs (keyset) and filters them, as on SQLite', async () => {
    const ids: string[] = [];
    for (let k = 0; k < 3; k++) ids.push((await client.request('SubmitBatchMediaProducingJob', job())).JobId as string);
    for (const id of ids) await jobEnd(client, id);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.request('ListBatchMediaProducingJobs', { MaxResults: 2, ...(token ? { NextToken: token } : {}) });
      seen.push(...(page.EditingBatchJobList as { JobId: string }[]).map((j) => j.JobId));
      token = page.NextToken as string | undefined;
    } while (token);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen).toContain(id);
    const one = await client.request('ListBatchMediaProducingJobs', { JobId: ids[1] });
    expect((one.EditingBatchJobList as { JobId: string }[]).map((j) => j.JobId)).toEqual([ids[1]]);
    await client.request('SetEventCallback', { CallbackURL: 'https://example.com/cb', AuthSwitch: 'off' });
    expect(await client.request('GetEventCallback', {})).toMatchObject({ CallbackURL: 'https://example.com/cb' });
  });

  it('several processes on one database: migrations run once, one ClientToken gives one job', async () => {
    const fresh = await postgres.database('reelsmith_shared');
    // Four opening at once on an empty database: every one of them sees the whole schema.
    const dbs = await Promise.all([0, 1, 2, 3].map(() => openDatabase(fresh)));
    for (const db of dbs) expect((await db.selectFrom('batch_jobs').select('id').execute()).length).toBe(0);
    // Every migration applied and recorded. A migration run twice would have failed one of the
    // openings above (its tables exist already): the migrator's lock let one process apply them.
    const sqlClient = new pg.Client({ connectionString: fresh });
    await sqlClient.connect();
    const applied = await sqlClient.query('select name from kysely_migration order by name');
    await sqlClient.end();
    expect(applied.rows.map((r) => r.name)).toEqual([
      '0001_media',
      '0002_batch_jobs',
      '0003_callbacks',
      '0004_media_source',
      '0005_job_guards',
      '0006_workers',
      '0007_job_owner',
      '0008_job_seed',
      '0009_access_keys',
      '0010_worker_speed',
      '0011_media_source_job',
    ]);
    await Promise.all(dbs.map((db) => db.destroy()));
    // Two services on it; the same ClientToken submitted to both at once.
    const [a, b] = await Promise.all([start(fresh), start(fresh)]);
    try {
      const [ra, rb] = await Promise.all([
        clientOf(a).request('SubmitBatchMediaProducingJob', job({ ClientToken: 'twice' }), { method: 'POST' }),
        clientOf(b).request('SubmitBatchMediaProducingJob', job({ ClientToken: 'twice' }), { method: 'POST' }),
      ]);
      expect(ra.JobId).toBe(rb.JobId);
      await jobEnd(clientOf(a), ra.JobId as string);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('renders a failed output once more on request, as a unit of work on the queue, and completes the job again', async () => {
    const database = await postgres.database('rerender');
    await failedOutputAgain((o) => start(database, o), { authorization: `Bearer ${AK}:${SECRET}` });
  });
});
