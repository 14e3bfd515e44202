/**
 * Outputs on S3-compatible storage: a real S3-protocol server on loopback (s3rver), the service
 * uploading each output with the AWS SDK and answering a pre-signed link that downloads it.
 */
import { createRequire } from 'node:module';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Service, startService } from '../src/shells/http/service.js';
import { ffprobe, MEDIA, media, tempDir } from './helpers.js';

const require = createRequire(import.meta.url);
const RPCClient = require('@alicloud/pop-core').RPCClient;
// biome-ignore lint/suspicious/noExplicitAny: s3rver ships no types
const S3rver = require('s3rver') as any;

const AK = 'LTAI5tReelsmithS3';
const SECRET = 's3-secret-0123456789';
let s3: { close(): Promise<void> };
let endpoint: string;
let service: Service;
let client: { request: (action: string, params: object, opts?: object) => Promise<Record<string, unknown>> };

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
  client = new RPCClient({ accessKeyId: AK, accessKeySecret: SECRET, endpoint: service.url, apiVersion: '2020-11-09' });
});
afterAll(async () => {
  await service?.close();
  await s3?.close();
});

describe('outputs on S3-compatible storage', () => {
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
    let b: { Status: string; SubJobList: { Status: string; MediaURL: string; MediaId: string }[] } | undefined;
    for (let i = 0; i < 1200; i++) {
      b = (await client.request('GetBatchMediaProducingJob', { JobId: id })).EditingBatchJob as typeof b;
      if (b!.Status === 'Finished' || b!.Status === 'Failed') break;
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(b!.Status).toBe('Finished');
    // The objects, as any S3 client lists them.
    const sdk = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const listed = await sdk.send(new ListObjectsV2Command({ Bucket: 'reels', Prefix: `campaigns/spring/${id}/` }));
    const keys = (listed.Contents ?? []).map((o) => o.Key).sort();
    expect(keys).toEqual([`campaigns/spring/${id}/spring_0.mp4`, `campaigns/spring/${id}/spring_1.mp4`]);
    sdk.destroy();
    for (const [k, s] of b!.SubJobList.entries()) {
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
});
