/**
 * A failed output rendered once more on request, and a job's outputs as one zip — the same
 * scenario on SQLite (in-process) and on PostgreSQL (a unit of work on the queue).
 */
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Service, ServiceOptions } from '../src/shells/http/service.js';
import { media, restClient } from './helpers.js';

export async function failedOutputAgain(
  start: (o: Partial<ServiceOptions>) => Promise<Service>,
  headers: Record<string, string>,
): Promise<void> {
  // A material served by a server that answers 404 at first: the output needing it fails.
  let serving = false;
  const picture = readFileSync(media('fresh_fruit.png'));
  const server = createServer((_req, res) => {
    if (!serving) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'image/png' }).end(picture);
  }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fruit-${Date.now()}.png`;
  const service = await start({ allowPrivateUrls: true });
  try {
    const call = restClient(service.url, headers);
    const end = async (id: string) => {
      for (let i = 0; i < 900; i++) {
        const b = (await call('GET', `/api/v1/jobs/${id}`)).body.EditingBatchJob as {
          Status: string;
          SubJobList: { Status: string; ErrorMessage: string | null }[];
        };
        if (b.Status === 'Finished' || b.Status === 'Failed') return b;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('job did not end');
    };
    const { body } = await call('POST', '/api/v1/jobs', {
      InputConfig: { MediaArray: [url] },
      EditingConfig: {},
      OutputConfig: { MediaURL: 'r_{index}.mp4', Count: 1, Width: 180, Height: 320, MaxDuration: 2 },
    });
    const id = body.JobId as string;
    const failed = await end(id);
    expect(failed.Status).toBe('Failed');
    expect(failed.SubJobList[0].ErrorMessage).toMatch(/fruit-\d+\.png/);
    // Not a failed output of a finished job: refused, naming it.
    expect((await call('POST', `/api/v1/jobs/${id}/outputs/3/render`)).status).toBe(400);
    serving = true;
    expect((await call('POST', `/api/v1/jobs/${id}/outputs/0/render`)).status).toBe(202);
    const done = await end(id);
    expect(done.Status).toBe('Finished');
    expect(done.SubJobList[0].Status).toBe('Success');
    // The outputs in one zip: a stored entry per output, the very file.
    const zip = Buffer.from(await (await fetch(`${service.url}/api/v1/jobs/${id}/outputs.zip`, { headers })).arrayBuffer());
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.subarray(30, 30 + zip.readUInt16LE(26)).toString()).toBe('r_0.mp4');
    const descriptor = zip.indexOf(Buffer.from([0x50, 0x4b, 0x07, 0x08]));
    const size = zip.readUInt32LE(18) || zip.readUInt32LE(descriptor + 12);
    expect(size).toBe(statSync(join(service.home.root, 'outputs', id, 'r_0.mp4')).size);
    expect((await fetch(`${service.url}/api/v1/jobs/${id}/outputs.zip`)).status).toBe(401);
  } finally {
    await service.close();
    server.close();
  }
}
