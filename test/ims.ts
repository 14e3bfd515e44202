/** The official IMS client (@alicloud/pop-core) for tests, and waiting for a job's end. */
import { expect } from 'vitest';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const RPCClient = require('@alicloud/pop-core').RPCClient;

export type ImsClient = { request: (action: string, params: object, opts?: object) => Promise<Record<string, unknown>> };

export const imsClient = (endpoint: string, accessKeyId: string, accessKeySecret: string): ImsClient =>
  new RPCClient({ accessKeyId, accessKeySecret, endpoint, apiVersion: '2020-11-09' });

export interface EditingBatchJob {
  Status: string;
  Extend: string;
  SubJobList: { Status: string; MediaURL: string; MediaId?: string; ErrorMessage?: string | null }[];
  [key: string]: unknown;
}

/** The job once Finished or Failed (polled every 100 ms, at most `seconds`). */
export async function jobEnd(client: ImsClient, jobId: string, seconds = 120): Promise<EditingBatchJob> {
  for (let i = 0; i < seconds * 10; i++) {
    const b = (await client.request('GetBatchMediaProducingJob', { JobId: jobId }, { method: 'POST' })).EditingBatchJob as EditingBatchJob;
    if (b.Status === 'Finished' || b.Status === 'Failed') return b;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`job ${jobId} did not end in ${seconds} s`);
}

/** An output's MediaURL answers an MP4 file (its `ftyp` box where MP4 has it). */
export async function expectMp4At(url: string): Promise<void> {
  const got = await fetch(url);
  expect(got.status).toBe(200);
  expect(
    Buffer.from(await got.arrayBuffer())
      .subarray(4, 8)
      .toString(),
  ).toBe('ftyp');
}
