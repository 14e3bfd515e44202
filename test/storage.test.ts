/**
 * Outputs on S3-compatible storage: a real S3-protocol server on loopback (s3rver), the service
 * uploading each output with the AWS SDK and answering a pre-signed link that downloads it.
 */
import { createRequire } from 'node:module';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Service, startService } from '../src/shells/http/service.js';
import { ffprobe, MEDIA, media, tempDir } from './helpers.js';
import { type ImsClient, imsClient, jobEnd } from './ims.js';

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: s3rver ships no types
const S3rver = require('s3rver') as any;

const AK = 'LTAI5tReelsmithS3';
const SECRET = 's3-secret-0123456789';
let s3: { close(): Promise<void> };
let endpoint: string;
let service: Service;
let client: ImsClient;

/** An S3 client of the test's server, as any S3 user would have. */
const bucketClient = () =>
  new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });

beforeAll(async () => {
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: tempDir('rs-s3-'),
    configureBuckets: [{ name: 'reels' }],
  });
  const { port } = (await server.run()) as { port: number };
  s3 = server;
  endpoint = `http://127.0.0.1:${port}`;
  service = await startService({
    port: 0,
    dataDir: tempDir('rs-s3-service-'),
    keys: new Map([[AK, SECRET]]),
    allowedMediaDirs: [MEDIA()],
    storage: {
      url: 's3://reels/campaigns/spring',
      endpoint,
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      linkLifetimeS: 600,
    },
  });
  client = imsClient(service.url, AK, SECRET);
});
afterAll(async () => {
  await service?.close();
  await s3?.close();
});

describe('outputs on S3-compatible storage', () => {
  it('reads s3://bucket/key materials from the same server (cached like any download); a missing object fails naming it', async () => {
    const sdk = bucketClient();
    await sdk.send(
      new PutObjectCommand({ Bucket: 'reels', Key: 'materials/storefront.mp4', Body: readFileSync(media('storefront_opening.mp4')) }),
    );
    sdk.destroy();
    const submit = async (ref: string) => {
      const r = await client.request('SubmitBatchMediaProducingJob', {
        InputConfig: JSON.stringify({ MediaArray: [ref] }),
        EditingConfig: JSON.stringify({ ProcessConfig: { SingleShotDuration: 1 } }),
        OutputConfig: JSON.stringify({ MediaURL: 'm_{index}.mp4', Count: 1, Width: 180, Height: 320, FixedDuration: 1 }),
      });
      return jobEnd(client, r.JobId as string);
    };
    const ok = await submit('s3://reels/materials/storefront.mp4');
    expect(ok.Status).toBe('Finished');
    expect(ok.SubJobList[0].Status).toBe('Success');
    const missing = await submit('s3://reels/materials/nothere.mp4');
    const why = `${missing.Extend} ${missing.SubJobList.map((x) => x.ErrorMessage ?? '').join(' ')}`;
    expect(missing.Status, why).toBe('Failed');
    expect(why).toMatch(/s3:\/\/reels\/materials\/nothere\.mp4.*(not found|HTTP 404)/);
    // The link's signature never shows in an answer.
    expect(JSON.stringify(missing)).not.toMatch(/X-Amz-Signature/);
  });

  it('uploads every output to the bucket and answers a pre-signed MediaURL that downloads it', async () => {
    const r = await client.request(
      'SubmitBatchMediaProducingJob',
      {
        InputConfig: JSON.stringify({ MediaArray: [media('storefront_opening.mp4'), media('fresh_fruit.png')] }),
        EditingConfig: JSON.stringify({ ProcessConfig: { SingleShotDuration: 1, AllowTransition: false } }),
        OutputConfig: JSON.stringify({ MediaURL: 'spring_{index}.mp4', Count: 2, Width: 180, Height: 320, FixedDuration: 2 }),
      },
      { method: 'POST' },
    );
    const id = r.JobId as string;
    const b = await jobEnd(client, id);
    expect(b.Status).toBe('Finished');
    // The objects, as any S3 client lists them.
    const sdk = bucketClient();
    const listed = await sdk.send(new ListObjectsV2Command({ Bucket: 'reels', Prefix: `campaigns/spring/${id}/` }));
    const keys = (listed.Contents ?? []).map((o) => o.Key).sort();
    expect(keys).toEqual([`campaigns/spring/${id}/spring_0.mp4`, `campaigns/spring/${id}/spring_1.mp4`]);
    sdk.destroy();
    for (const [k, s] of b.SubJobList.entries()) {
      expect(s.Status).toBe('Success');
      expect(s.MediaURL.startsWith(`${endpoint}/reels/campaigns/spring/${id}/spring_${k}.mp4?`)).toBe(true);
      expect(s.MediaURL).toMatch(/X-Amz-Signature=[0-9a-f]{64}/);
      expect(s.MediaURL).toMatch(/X-Amz-Expires=600/);
      const got = await fetch(s.MediaURL);
      expect(got.status).toBe(200);
      const bytes = Buffer.from(await got.arrayBuffer());
      // The very file that was rendered.
      const local = join(service.home.root, 'outputs', id, `spring_${k}.mp4`);
      expect(bytes.length).toBe(statSync(local).size);
      expect((await ffprobe(local)).streams.find((x) => x.codec_type === 'video')).toMatchObject({ width: 180, height: 320 });
      expect(s.MediaId).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it('puts outputs where OutputConfig.MediaURL names them (s3://bucket/key, or OSS-style https://<bucket>.<endpoint>/key) and signs their links anew at each answer', async () => {
    const sdk = bucketClient();
    const submit = async (mediaURL: string) => {
      const r = await client.request(
        'SubmitBatchMediaProducingJob',
        {
          InputConfig: JSON.stringify({ MediaArray: [media('storefront_opening.mp4')] }),
          EditingConfig: JSON.stringify({ ProcessConfig: { SingleShotDuration: 1 } }),
          OutputConfig: JSON.stringify({ MediaURL: mediaURL, Count: 2, Width: 180, Height: 320, FixedDuration: 1 }),
        },
        { method: 'POST' },
      );
      const b = await jobEnd(client, r.JobId as string);
      expect(b.Status, JSON.stringify(b)).toBe('Finished');
      return b;
    };
    const keys = async (Prefix: string) =>
      ((await sdk.send(new ListObjectsV2Command({ Bucket: 'reels', Prefix }))).Contents ?? []).map((o) => o.Key).sort();
    try {
      const named = await submit('s3://reels/exports/summer/clip_{index}.mp4');
      expect(await keys('exports/summer/')).toEqual(['exports/summer/clip_0.mp4', 'exports/summer/clip_1.mp4']);
      for (const [k, x] of named.SubJobList.entries()) {
        expect(x.MediaURL.startsWith(`${endpoint}/reels/exports/summer/clip_${k}.mp4?`)).toBe(true);
        expect((await fetch(x.MediaURL)).status).toBe(200);
        // The object's address stays inside the service.
        expect(x).not.toHaveProperty('Object');
      }
      const oss = await submit('https://reels.oss-cn-shanghai.aliyuncs.com/oss/launch_{index}.mp4');
      expect(await keys('oss/')).toEqual(['oss/launch_0.mp4', 'oss/launch_1.mp4']);
      expect((await fetch(oss.SubJobList[1].MediaURL)).status).toBe(200);
      // The same names again from another job: the objects are that job's outputs, with new media IDs.
      const again = await submit('s3://reels/exports/summer/clip_{index}.mp4');
      expect(new Set([...named.SubJobList, ...again.SubJobList].map((x) => x.MediaId)).size).toBe(4);
      const head = await sdk.send(new HeadObjectCommand({ Bucket: 'reels', Key: 'exports/summer/clip_0.mp4' }));
      expect(head.Metadata?.['reelsmith-job']).toBe(again.JobId);
      // Links are signed when answered, not once for ever: a later answer carries a later signature.
      await new Promise((r) => setTimeout(r, 1100));
      const later = (await client.request('GetBatchMediaProducingJob', { JobId: again.JobId })).EditingBatchJob as typeof again;
      const signedAt = (u: string) => new URL(u).searchParams.get('X-Amz-Date');
      expect(signedAt(later.SubJobList[0].MediaURL)).not.toBe(signedAt(again.SubJobList[0].MediaURL));
      const now = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
      expect(Math.abs(Number(signedAt(later.SubJobList[0].MediaURL)?.slice(9, 15)) - Number(now.slice(9, 15)))).toBeLessThan(5);
      expect((await fetch(later.SubJobList[0].MediaURL)).status).toBe(200);
    } finally {
      sdk.destroy();
    }
  });
});
