/**
 * The bad-input corpus: hundreds of generated cases by category (schema, numbers, enums, text and
 * markup, paths and outputs, URLs, media files, service requests), each classified as a user
 * would see it:
 *   refused  — an InvalidParameter (or InvalidMaterial) answer naming the field and the reason;
 *   handled  — accepted with the documented result (a default, a warning);
 *   crash    — anything else: another exception, a stack trace, an HTTP 500;
 *   escape   — a file outside what the job may touch, or a private address reached;
 *   blow-up  — over 1 GB RSS or over 30 s for something that should fail fast.
 * The run prints the tally and fails on any crash, escape or blow-up.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobValidationError, ReelsmithError } from '../src/errors.js';
import { localFile } from '../src/media/fetch.js';
import { probe } from '../src/media/probe.js';
import { type Service, startService } from '../src/shells/http/service.js';
import { parseJob, type RawJobParams } from '../src/job/parse.js';
import { media, tempDir } from './helpers.js';

type Outcome = 'refused' | 'handled' | 'crash' | 'escape' | 'blow-up';
interface Case {
  category: string;
  name: string;
  run: () => Promise<Outcome | { outcome: Outcome; why: string }>;
}

const cases: Case[] = [];
const add = (category: string, name: string, run: Case['run']) => cases.push({ category, name, run });

// ---- job JSON (in-process: parseJob, exactly what the CLI and the service call) ----------------
const base = () => ({
  InputConfig: { MediaGroupArray: [{ GroupName: 'g', MediaArray: ['a.mp4'] }], SpeechTextArray: ['Hello there.'] } as Record<
    string,
    unknown
  >,
  EditingConfig: {} as Record<string, unknown>,
  OutputConfig: { MediaURL: 'o_{index}.mp4' } as Record<string, unknown>,
});

/** Sets `value` at a dotted path (creating objects on the way). */
function at(job: ReturnType<typeof base>, path: string, value: unknown) {
  const keys = path.split('.');
  let o = job as unknown as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) {
    o[k] ??= {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1]] = value;
  return job;
}

function parseCase(params: RawJobParams): Promise<Outcome | { outcome: Outcome; why: string }> {
  try {
    parseJob(params);
    return Promise.resolve('handled');
  } catch (err) {
    if (err instanceof JobValidationError) {
      const clear =
        err.issues.length > 0 &&
        err.issues.every((i) => i.reason.length > 0 && i.reason.length < 2000 && (i.path !== '' || /more problems/.test(i.reason)));
      return Promise.resolve(clear ? 'refused' : { outcome: 'crash', why: `unclear issues: ${JSON.stringify(err.issues).slice(0, 300)}` });
    }
    return Promise.resolve({ outcome: 'crash', why: String((err as Error).stack ?? err).slice(0, 300) });
  }
}
const jobCase = (category: string, name: string, make: () => RawJobParams) => add(category, name, () => parseCase(make()));

const NUMERIC = [
  'InputConfig.MediaGroupArray.0.Duration',
  'InputConfig.MediaGroupArray.0.Volume',
  'EditingConfig.MediaConfig.Volume',
  'EditingConfig.SpeechConfig.SpeechRate',
  'EditingConfig.SpeechConfig.Volume',
  'EditingConfig.SpeechConfig.Gain',
  'EditingConfig.SpeechConfig.AsrConfig.FontSize',
  'EditingConfig.SpeechConfig.AsrConfig.X',
  'EditingConfig.SpeechConfig.AsrConfig.Y',
  'EditingConfig.SpeechConfig.AsrConfig.Outline',
  'EditingConfig.TitleConfig.FontSize',
  'EditingConfig.TitleConfig.TimelineIn',
  'EditingConfig.TitleConfig.TimelineOut',
  'EditingConfig.BackgroundMusicConfig.Volume',
  'EditingConfig.BackgroundImageConfig.Radius',
  'EditingConfig.ProcessConfig.SingleShotDuration',
  'EditingConfig.ProcessConfig.ImageDuration',
  'EditingConfig.ProcessConfig.TransitionDuration',
  'EditingConfig.ProcessConfig.VfxEffectProbability',
  'OutputConfig.Count',
  'OutputConfig.Width',
  'OutputConfig.Height',
  'OutputConfig.MaxDuration',
  'OutputConfig.FixedDuration',
  'OutputConfig.Video.Crf',
  'OutputConfig.Video.Fps',
];
const BAD_NUMBERS: unknown[] = ['0x10', '1e999', 'NaN', 'Infinity', -1e308, 1e308, '', ' ', '1,5', true, [], {}, null, -0.000001, 1e-9];
for (const path of NUMERIC)
  for (const v of BAD_NUMBERS)
    jobCase('numbers', `${path} = ${JSON.stringify(v)}`, () => {
      const j = base();
      if (path.startsWith('InputConfig.MediaGroupArray.0.'))
        (j.InputConfig.MediaGroupArray as Record<string, unknown>[])[0][path.split('.').pop()!] = v;
      else at(j, path, v);
      return j;
    });

const ENUMS = [
  'EditingConfig.SpeechConfig.Voice',
  'EditingConfig.SpeechConfig.Style',
  'EditingConfig.SpeechConfig.SpeechLanguage',
  'EditingConfig.SpeechConfig.AsrConfig.Alignment',
  'EditingConfig.SpeechConfig.AsrConfig.AaiMotionInEffect',
  'EditingConfig.SpeechConfig.AsrConfig.AaiMotionOutEffect',
  'EditingConfig.SpeechConfig.AsrConfig.AaiMotionLoopEffect',
  'EditingConfig.SpeechConfig.AsrConfig.WordHighlight',
  'EditingConfig.SpeechConfig.AsrConfig.FontColor',
  'EditingConfig.SpeechConfig.AsrConfig.Font',
  'EditingConfig.BackgroundMusicConfig.Style',
  'EditingConfig.BackgroundImageConfig.SubType',
  'EditingConfig.ProcessConfig.AlignmentMode',
  'EditingConfig.ProcessConfig.TransitionList',
  'EditingConfig.ProcessConfig.VfxFirstClipEffectList',
  'EditingConfig.ProcessConfig.FilterList',
  'OutputConfig.Video.Preset',
];
const BAD_NAMES: unknown[] = [
  '../../../../etc/passwd',
  'x'.repeat(100_000),
  'a,b,,c',
  '\u0000',
  '<script>',
  '__proto__',
  'constructor',
  'toString',
  '-vf drawtext',
  42,
  ['x'],
];
for (const path of ENUMS)
  for (const v of BAD_NAMES) jobCase('enums', `${path} = ${JSON.stringify(v).slice(0, 40)}`, () => at(base(), path, v));

const TEXTS: string[] = [
  '<speak>',
  '<break time="99999s"/>',
  '<speak>&constructor;</speak>',
  '<speak>&#x110000;</speak>',
  '<speak>&#99999999;</speak>',
  '<sub alias="x">',
  `${'<s>'.repeat(1000)}x${'</s>'.repeat(1000)}`,
  '{\\fnEvil}{\\p1}m 0 0 l 100 100',
  'a\\Nb\\nc\\h',
  '\u202eevil',
  '🎉🎉🎉',
  'x'.repeat(1001),
  '<speak><unknown/></speak>',
  '<speak><break time="5s"></speak>',
  '\u200b',
  '<speak>&amp;&lt;&gt;</speak>',
  'a < b > c',
  '<speak><sub alias="&constructor;">x</sub></speak>',
  '<speak><phoneme alphabet="ipa" ph="x">y</phoneme></speak>',
  '',
];
for (const [i, t] of TEXTS.entries()) {
  jobCase('text', `global text #${i}`, () => at(base(), 'InputConfig.SpeechTextArray', [t]));
  jobCase('text', `group text #${i}`, () => {
    const j = base();
    delete j.InputConfig.SpeechTextArray;
    (j.InputConfig.MediaGroupArray as Record<string, unknown>[])[0].SpeechTextArray = [t];
    return j;
  });
  jobCase('text', `title #${i}`, () => at(base(), 'InputConfig.TitleArray', [t]));
}
jobCase('text', '51 texts', () => at(base(), 'InputConfig.SpeechTextArray', Array(51).fill('hi')));
jobCase('text', '51 titles', () => at(base(), 'InputConfig.TitleArray', Array(51).fill('hi')));

const SCHEMA: [string, () => RawJobParams][] = [
  ['InputConfig missing', () => ({ OutputConfig: {} })],
  ['InputConfig is an array', () => ({ InputConfig: [] })],
  ['InputConfig is a number', () => ({ InputConfig: 5 as unknown as string })],
  ['InputConfig is bad JSON', () => ({ InputConfig: '{"MediaArray":[' })],
  ['InputConfig is "null"', () => ({ InputConfig: 'null' })],
  ['deep nesting (string)', () => ({ InputConfig: `{"MediaArray":["a"],"SceneInfo":${'['.repeat(200_000)}${']'.repeat(200_000)}}` })],
  [
    'deep nesting (object)',
    () => ({ InputConfig: { MediaArray: ['a'] }, EditingConfig: JSON.parse(`${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`) }),
  ],
  ['__proto__ key', () => ({ InputConfig: '{"MediaArray":["a"],"__proto__":{"x":1}}' })],
  ['constructor key', () => ({ InputConfig: { MediaArray: ['a'] }, OutputConfig: JSON.parse('{"constructor":{"prototype":{}}}') })],
  [
    'prototype key in a group',
    () => ({ InputConfig: JSON.parse('{"MediaGroupArray":[{"GroupName":"g","MediaArray":["a"],"prototype":1}]}') }),
  ],
  ['UserData too long', () => ({ ...base(), UserData: JSON.stringify({ x: 'y'.repeat(600) }) })],
  ['UserData not JSON', () => ({ ...base(), UserData: '{nope' })],
  ['UserData deep', () => ({ ...base(), UserData: `${'['.repeat(100)}${']'.repeat(100)}` })],
  ['no materials', () => ({ InputConfig: {} })],
  ['empty group list', () => ({ InputConfig: { MediaGroupArray: [] } })],
  [
    '41 groups',
    () => ({ InputConfig: { MediaGroupArray: Array.from({ length: 41 }, (_, i) => ({ GroupName: `g${i}`, MediaArray: ['a'] })) } }),
  ],
  [
    'duplicate group names',
    () => ({
      InputConfig: {
        MediaGroupArray: [
          { GroupName: 'g', MediaArray: ['a'] },
          { GroupName: 'g', MediaArray: ['b'] },
        ],
      },
    }),
  ],
  ['empty material', () => ({ InputConfig: { MediaArray: [''] } })],
  ['100,000 materials', () => ({ InputConfig: { MediaArray: Array(100_000).fill('a.mp4') } })],
  ['1,000,000 values', () => ({ InputConfig: { MediaArray: ['a'], SceneInfo: Array(1_000_000).fill(0) } })],
  ['unknown keys', () => ({ ...base(), Tittle: 1, InputConfig: { MediaArray: ['a'], Tittle: 'x' } })],
  [
    'time range reversed',
    () => ({
      InputConfig: { MediaArray: ['a'] },
      EditingConfig: { MediaConfig: { MediaMetaDataArray: [{ Media: 'a', TimeRangeList: [{ In: 5, Out: 1 }] }] } },
    }),
  ],
  [
    'time range of a material not listed',
    () => ({
      InputConfig: { MediaArray: ['a'] },
      EditingConfig: { MediaConfig: { MediaMetaDataArray: [{ Media: 'b', TimeRangeList: [{ In: 0, Out: 1 }] }] } },
    }),
  ],
  ['sticker without media', () => ({ InputConfig: { MediaArray: ['a'], StickerArray: [{ X: 1 }] } })],
  ['sub-heading level 0', () => ({ InputConfig: { MediaArray: ['a'], SubHeadingArray: [{ Level: 0, TitleArray: ['x'] }] } })],
  ['odd width', () => ({ InputConfig: { MediaArray: ['a'] }, OutputConfig: { Width: 181 } })],
  ['short side over 2160', () => ({ InputConfig: { MediaArray: ['a'] }, OutputConfig: { Width: 4096, Height: 4096 } })],
  [
    'group and global voice-over',
    () => ({ InputConfig: { MediaGroupArray: [{ GroupName: 'g', MediaArray: ['a'], SpeechTextArray: ['x'] }], SpeechTextArray: ['y'] } }),
  ],
];
for (const [name, make] of SCHEMA) jobCase('schema', name, make);

const OUTPUT_NAMES = [
  '',
  '{index}',
  '../../{index}.mp4',
  '/etc/{index}',
  'a\u0000{index}',
  `${'x'.repeat(5000)}{index}`,
  'http://x/{index}',
  's3://b/k_{index}.mp4',
  'C:\\x{index}',
  'no-index.mp4',
  '.hidden_{index}',
  '{index}/{index}',
];
for (const n of OUTPUT_NAMES) jobCase('paths', `MediaURL ${JSON.stringify(n).slice(0, 40)}`, () => at(base(), 'OutputConfig.MediaURL', n));
const REFS = [
  'http://',
  'http://[::1]/x.mp4',
  'ftp://x/a.mp4',
  'javascript:alert(1)',
  'file:///etc/passwd',
  'data:video/mp4;base64,AAAA',
  `http://x/${'a'.repeat(10000)}.mp4`,
  '\u0000',
  '../../../../etc/shadow',
  ' ',
];
for (const r of REFS) jobCase('urls', `material ${JSON.stringify(r).slice(0, 40)}`, () => ({ InputConfig: { MediaArray: [r] } }));

// ---- files and URLs as the resolver meets them (real disk, real loopback) -----------------------
let server: Server;
let hits = 0;
let files: string;
let allowed: string;
beforeAll(async () => {
  server = createServer((_req, res) => {
    hits++;
    res.end('x');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  files = tempDir('rs-corpus-');
  allowed = join(files, 'allowed');
  mkdirSync(allowed);
  execFileSync('mkfifo', [join(allowed, 'fifo.mp4')]);
  writeFileSync(join(allowed, 'empty.mp4'), '');
  writeFileSync(join(allowed, 'text.mp4'), 'hello, not a video'.repeat(100));
  writeFileSync(join(allowed, 'one-byte.mp4'), 'x');
  const clip = await import('node:fs').then((fs) => fs.readFileSync(media('rgb_parts.mp4')));
  writeFileSync(join(allowed, 'truncated.mp4'), clip.subarray(0, Math.floor(clip.length / 3)));
  writeFileSync(join(allowed, 'headless.mp4'), clip.subarray(100));
  symlinkSync('/etc/passwd', join(allowed, 'link-out.mp4'));
  symlinkSync(join(allowed, 'nowhere'), join(allowed, 'dangling.mp4'));
  mkdirSync(join(allowed, 'folder.mp4'));
});
afterAll(() => {
  server?.close();
});

const fileOutcome = async (
  ref: string,
  policy: { allowedDirs?: string[]; allowPrivate?: boolean; maxBytes?: number },
): Promise<Outcome | { outcome: Outcome; why: string }> => {
  const before = hits;
  try {
    const path = await localFile(ref, allowed, join(files, 'cache'), { retryDelaysMs: [], ...policy } as never);
    if (hits > before) return { outcome: 'escape', why: 'a private address was fetched' };
    if (policy.allowedDirs && !path.startsWith(`${allowed}/`))
      return { outcome: 'escape', why: `resolved outside the allowed folder: ${path}` };
    await probe(path, ref);
    return 'handled';
  } catch (err) {
    if (hits > before) return { outcome: 'escape', why: 'a private address was fetched' };
    if (err instanceof ReelsmithError && err.message.length < 2000 && !/\n\s+at /.test(err.message)) return 'refused';
    return { outcome: 'crash', why: String((err as Error).stack ?? err).slice(0, 300) };
  }
};
const FILE_REFS = [
  'fifo.mp4',
  'empty.mp4',
  'text.mp4',
  'one-byte.mp4',
  'truncated.mp4',
  'headless.mp4',
  'link-out.mp4',
  'dangling.mp4',
  'folder.mp4',
  'missing.mp4',
  '/dev/zero',
  '/dev/null',
  '/dev/urandom',
  '/proc/self/environ',
  '/etc/passwd',
  '../../../../etc/passwd',
  'file:///etc/passwd',
  'file:///dev/zero',
  'file://host/share/x.mp4',
  'ftp://127.0.0.1/x.mp4',
  'gopher://127.0.0.1/x',
];
for (const ref of FILE_REFS) {
  add('media files', `${ref} (service policy)`, () => fileOutcome(ref, { allowedDirs: [allowed], allowPrivate: false }));
  add('media files', `${ref} (command line)`, () => fileOutcome(ref, { maxBytes: 50 * 1024 ** 2 }));
}
const URL_REFS = (port: () => number) => [
  `http://127.0.0.1:${port()}/x.mp4`,
  `http://[::1]:${port()}/x.mp4`,
  `http://0.0.0.0:${port()}/x.mp4`,
  `http://10.0.0.1:${port()}/x.mp4`,
  `http://169.254.169.254/latest/meta-data/`,
  `http://[::ffff:127.0.0.1]:${port()}/x.mp4`,
  `http://192.168.0.1/x.mp4`,
  `http://100.64.0.1/x.mp4`,
  `http://[fd00::1]/x.mp4`,
  `http://[fe80::1]/x.mp4`,
];
for (let i = 0; i < 10; i++)
  add('urls', `private address #${i} (service policy)`, () =>
    fileOutcome(URL_REFS(() => (server.address() as AddressInfo).port)[i], { allowedDirs: [allowed], allowPrivate: false }),
  );

// ---- service requests (real HTTP on loopback) ---------------------------------------------------
let service: Service;
const SERVICE_REQUESTS: [string, () => Promise<Response>][] = [];
const svc = (name: string, req: () => Promise<Response>) => SERVICE_REQUESTS.push([name, req]);
const u = (q: string) => `${service.url}/?${q}`;
svc('no Action', () => fetch(u('')));
svc('unknown Action', () => fetch(u('Action=Nope&Version=2020-11-09')));
svc('Action __proto__', () => fetch(u('Action=__proto__&Version=2020-11-09&AccessKeyId=x')));
svc('Action constructor', () => fetch(u('Action=constructor&Version=2020-11-09')));
svc('wrong Version', () => fetch(u('Action=GetBatchMediaProducingJob&Version=1999')));
svc('no signature', () => fetch(u('Action=GetBatchMediaProducingJob&Version=2020-11-09')));
svc('garbage signature fields', () =>
  fetch(u('Action=GetBatchMediaProducingJob&Version=2020-11-09&AccessKeyId=x&Signature=y&SignatureMethod=z&SignatureNonce=1&Timestamp=w')),
);
svc('huge query', () => fetch(u(`Action=${'A'.repeat(60_000)}&Version=2020-11-09`)));
svc('body over the limit', () =>
  fetch(service.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `Action=x&pad=${'a'.repeat(9 * 1024 * 1024)}`,
  }),
);
svc('malformed JSON body', () =>
  fetch(`${service.url}/api/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer AK:SK' },
    body: '{"a":',
  }),
);
svc('deep JSON body', () =>
  fetch(`${service.url}/api/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer AK:SK' },
    body: `{"InputConfig":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
  }),
);
svc('REST job with __proto__', () =>
  fetch(`${service.url}/api/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer AK:SK' },
    body: '{"InputConfig":{"MediaArray":["a"],"__proto__":{"x":1}},"OutputConfig":{}}',
  }),
);
svc('REST job with a local path', () =>
  fetch(`${service.url}/api/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer AK:SK' },
    body: JSON.stringify({ InputConfig: { MediaArray: ['/etc/passwd'] }, OutputConfig: {} }),
  }),
);
svc('REST job with a huge value', () =>
  fetch(`${service.url}/api/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer AK:SK' },
    body: JSON.stringify({
      InputConfig: { MediaArray: ['a.mp4'] },
      EditingConfig: { SpeechConfig: { Voice: 'v'.repeat(1_000_000) } },
      OutputConfig: {},
    }),
  }),
);
svc('REST unknown job', () => fetch(`${service.url}/api/v1/jobs/${'f'.repeat(10_000)}`, { headers: { authorization: 'Bearer AK:SK' } }));
svc('REST odd bearer', () => fetch(`${service.url}/api/v1/jobs`, { headers: { authorization: 'Bearer %00:%00:\t' } }));
svc('REST list with garbage NextToken', () =>
  fetch(`${service.url}/api/v1/jobs?NextToken=%%%&MaxResults=abc`, { headers: { authorization: 'Bearer AK:SK' } }),
);
svc('REST media with a private URL', () =>
  fetch(`${service.url}/api/v1/media`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer AK:SK' },
    body: JSON.stringify({ InputURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/x.mp4` }),
  }),
);
svc('outputs path traversal', () => fetch(`${service.url}/outputs/..%2f..%2freelsmith.db`));
svc('content-type nonsense', () => fetch(service.url, { method: 'POST', headers: { 'content-type': 'text/x-nonsense' }, body: 'x' }));
for (const [name, req] of SERVICE_REQUESTS)
  add('service requests', name, async () => {
    const before = hits;
    const res = await req();
    const text = await res.text();
    if (hits > before) return { outcome: 'escape', why: 'a private address was fetched' };
    if (res.status >= 500) return { outcome: 'crash', why: `HTTP ${res.status}: ${text.slice(0, 200)}` };
    if (/\n\s+at |root:x:0/.test(text)) return { outcome: 'escape', why: `internals in the answer: ${text.slice(0, 200)}` };
    return res.status >= 400 ? 'refused' : 'handled';
  });

describe('the bad-input corpus', () => {
  beforeAll(async () => {
    service = await startService({ port: 0, dataDir: tempDir('rs-corpus-svc-'), keys: new Map([['AK', 'SK']]), allowPrivateUrls: false });
  });
  afterAll(async () => {
    await service?.close();
  });

  it('refuses or handles every case clearly: no crash, no escape, no blow-up', async () => {
    const tally: Record<Outcome, number> = { refused: 0, handled: 0, crash: 0, escape: 0, 'blow-up': 0 };
    const bad: string[] = [];
    const byCategory = new Map<string, number>();
    for (const c of cases) {
      const started = performance.now();
      let r: Outcome | { outcome: Outcome; why: string };
      try {
        r = await c.run();
      } catch (err) {
        r = { outcome: 'crash', why: String((err as Error).stack ?? err).slice(0, 300) };
      }
      const seconds = (performance.now() - started) / 1000;
      const rss = process.memoryUsage().rss;
      if (seconds > 30 || rss > 1024 ** 3)
        r = { outcome: 'blow-up', why: `${seconds.toFixed(1)} s, ${(rss / 1024 ** 2).toFixed(0)} MB RSS` };
      const outcome = typeof r === 'string' ? r : r.outcome;
      tally[outcome]++;
      byCategory.set(c.category, (byCategory.get(c.category) ?? 0) + 1);
      if (process.env.CORPUS_SHOW === outcome) console.log(`${outcome}: ${c.category} / ${c.name}`);
      if (outcome === 'crash' || outcome === 'escape' || outcome === 'blow-up')
        bad.push(`${c.category} / ${c.name}: ${outcome}: ${typeof r === 'string' ? '' : r.why}`);
    }
    console.log(
      `${cases.length} cases: ${tally.refused} refused clearly, ${tally.handled} handled, ${tally.crash} crashes, ${tally.escape} escapes, ${tally['blow-up']} blow-ups\n  by category: ${[...byCategory].map(([k, n]) => `${k} ${n}`).join(', ')}`,
    );
    expect(bad).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(300);
  });
});
