/**
 * Service benchmark: submissions per second accepted by the IMS API (signed with the official
 * pop-core client, sequential and 8 in flight), and the service's overhead around one render
 * (Submit → Finished through the API, against produce() of the same job in-process).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { makeSampleMedia } from '../examples/sample-media.js';
import { reelsmithHome } from '../src/config/home.js';
import { produce } from '../src/batch/produce.js';
import { startService } from '../src/shells/http/service.js';
import { parseJob } from '../src/job/parse.js';
import { mapLimit } from '../src/util/concurrency.js';

const require = createRequire(import.meta.url);
const RPCClient = require('@alicloud/pop-core').RPCClient;
const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'bench/out/service');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const mediaDir = join(root, 'examples/media');
await makeSampleMedia(mediaDir);
const m = (f: string) => join(mediaDir, f);

// The same data folder as the service's, so that both sides share warm caches.
const home = reelsmithHome(join(out, 'data'));
const service = await startService({
  port: 0,
  dataDir: join(out, 'data'),
  keys: new Map([['LTAIbench', 'bench-secret']]),
  maxQueued: 10_000,
});
const client = new RPCClient({
  accessKeyId: 'LTAIbench',
  accessKeySecret: 'bench-secret',
  endpoint: service.url,
  apiVersion: '2020-11-09',
});

const params = (output: object) => ({
  InputConfig: JSON.stringify({
    MediaGroupArray: [
      { GroupName: 'a', MediaArray: [m('storefront_opening.mp4')] },
      { GroupName: 'b', MediaArray: [m('mall_crowd.mp4')] },
    ],
  }),
  EditingConfig: JSON.stringify({ ProcessConfig: { SingleShotDuration: 2 } }),
  OutputConfig: JSON.stringify({ MediaURL: 'o_{index}.mp4', Count: 1, Width: 360, Height: 640, MaxDuration: 4, ...output }),
});

// ---- overhead around one render (warm caches first) -------------------------------------------
const parsed = parseJob({ ...params({}), EditingConfig: JSON.parse(params({}).EditingConfig) }, { baseDir: root });
await produce(parsed, { home, outDir: join(out, 'warm'), seed: 1 });
const direct: number[] = [];
const viaApi: number[] = [];
for (let i = 0; i < 3; i++) {
  let t0 = performance.now();
  await produce(parsed, { home, outDir: join(out, `direct${i}`), seed: 1 });
  direct.push((performance.now() - t0) / 1000);
  t0 = performance.now();
  const { JobId } = await client.request('SubmitBatchMediaProducingJob', params({}), { method: 'POST' });
  for (;;) {
    const r = await client.request('GetBatchMediaProducingJob', { JobId });
    if (r.EditingBatchJob.Status === 'Finished' || r.EditingBatchJob.Status === 'Failed') break;
    await new Promise((res) => setTimeout(res, 20));
  }
  viaApi.push((performance.now() - t0) / 1000);
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---- submissions per second (the jobs only plan: GeneratePreviewOnly) ---------------------------
const N = Number(process.env.BENCH_SUBMITS ?? 200);
let t0 = performance.now();
for (let i = 0; i < N / 2; i++)
  await client.request('SubmitBatchMediaProducingJob', params({ GeneratePreviewOnly: true }), { method: 'POST' });
const sequential = N / 2 / ((performance.now() - t0) / 1000);
t0 = performance.now();
await mapLimit(
  Array.from({ length: N / 2 }, (_, i) => i),
  8,
  () => client.request('SubmitBatchMediaProducingJob', params({ GeneratePreviewOnly: true }), { method: 'POST' }),
);
const concurrent = N / 2 / ((performance.now() - t0) / 1000);
service.runner.stop();
await service.close();

const result = {
  submissionsPerSecond: { sequential: Number(sequential.toFixed(1)), eightInFlight: Number(concurrent.toFixed(1)) },
  render: {
    directSeconds: Number(med(direct).toFixed(2)),
    viaApiSeconds: Number(med(viaApi).toFixed(2)),
    overheadSeconds: Number((med(viaApi) - med(direct)).toFixed(2)),
  },
};
console.log(
  `submissions accepted: ${result.submissionsPerSecond.sequential}/s one at a time, ${result.submissionsPerSecond.eightInFlight}/s with 8 in flight (signed, validated, stored)`,
);
console.log(
  `one 4 s 360x640 job: ${result.render.directSeconds} s in-process, ${result.render.viaApiSeconds} s submit→Finished through the API (overhead ${result.render.overheadSeconds} s, medians of 3)`,
);
writeFileSync(join(out, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
