/**
 * Hostile and odd input, each hole reproduced as an attacker or a careless user would hit it:
 * values that would reach a subprocess or a file path, markup that would be looked up as object
 * properties, JSON that would overflow the stack, files that are not files, outputs that would
 * replace what the user owns. Each must be a clear refusal (field path and reason) or the
 * documented handling, never a crash and never an escape.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as fontkit from 'fontkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAss } from '../src/captions/ass.js';
import { setFontNames } from '../src/captions/font-alias.js';
import { type JobValidationError, ReelsmithError } from '../src/errors.js';
import { prepare, produce } from '../src/batch/produce.js';
import type { Timeline } from '../src/planner/timeline.js';
import { installFont } from '../src/render/render.js';
import { fetchToCache, localFile } from '../src/media/fetch.js';
import { parseJob } from '../src/job/parse.js';
import { espeakSettings } from '../src/speech/espeak.js';
import { parseSpeechText } from '../src/speech/ssml.js';
import { VOICES } from '../src/speech/voices.js';
import { cli, issuesOf, frameAt, media, tempDir, useTempHome, writeJob, testHome } from './helpers.js';

const base = { InputConfig: { MediaArray: ['a.mp4'], SpeechText: 'Hello there.' } };

/**
 * Text pixels of a frame (bright, r + g + b at least `atLeast`, against the dark test clip): how
 * many, how many in the `edge` columns at the left and right, and the box they fill.
 */
function ink(f: Awaited<ReturnType<typeof frameAt>>, o: { atLeast: number; edge?: number }) {
  const edge = o.edge ?? 0;
  let [total, atEdges, x0, y0, x1, y1] = [0, 0, f.width, f.height, -1, -1];
  for (let y = 0; y < f.height; y++)
    for (let x = 0; x < f.width; x++) {
      const [r, g, b] = f.at(x, y);
      if (r + g + b < o.atLeast) continue;
      total++;
      if (x < edge || x >= f.width - edge) atEdges++;
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  return { total, atEdges, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

describe('values that reach a subprocess or a file are whitelisted', () => {
  it('refuses a SpeechLanguage that is a path (it would reach espeak-ng -v and leak the file), listing the valid values', () => {
    const issues = issuesOf({ ...base, EditingConfig: { SpeechConfig: { SpeechLanguage: '../../../../../../../etc/passwd' } } });
    expect(issues).toEqual([
      {
        path: 'EditingConfig.SpeechConfig.SpeechLanguage',
        reason: expect.stringMatching(/^unknown language "\.\.\/.*"; valid: zh, cmn, zh-cn, .*en-gb$/),
      },
    ]);
    // and the engine itself refuses anything not in the catalogue, should a caller skip the parser
    expect(() => espeakSettings(VOICES[0], '/etc/passwd', 1)).toThrow(ReelsmithError);
  });

  it('takes the usual spellings of the catalogue languages and hands espeak-ng only its own voice names', () => {
    for (const [given, voice] of [
      ['zh-CN', 'cmn'],
      ['en_GB', 'en'],
      ['YUE', 'yue'],
      ['en-us', 'en-us'],
    ]) {
      const { job } = parseJob({ ...base, EditingConfig: { SpeechConfig: { SpeechLanguage: given } } });
      expect(espeakSettings(VOICES[0], job.speech.language!, 1).voice.split('+')[0]).toBe(voice);
    }
  });

  it('refuses an x264 preset that is not one (it reaches FFmpeg -preset)', () => {
    expect(issuesOf({ ...base, OutputConfig: { Video: { Preset: 'fast -vf drawtext' } } })).toEqual([
      {
        path: 'OutputConfig.Video.Preset',
        reason: expect.stringMatching(/^unknown preset "fast -vf drawtext"; valid: ultrafast, .*veryslow$/),
      },
    ]);
  });

  it('refuses output names with control characters or that no file system takes', () => {
    expect(issuesOf({ ...base, OutputConfig: { MediaURL: 'out_{index}\n.mp4' } })[0]).toMatchObject({
      path: 'OutputConfig.MediaURL',
      reason: expect.stringContaining('control characters'),
    });
    expect(issuesOf({ ...base, OutputConfig: { MediaURL: `${'x'.repeat(300)}_{index}.mp4` } })[0]).toMatchObject({
      path: 'OutputConfig.MediaURL',
      reason: 'its file name is longer than 200 bytes',
    });
  });
});

describe('SSML entities', () => {
  it('reads only the XML entities: &constructor; is text as typed, never an object property', () => {
    const said = parseSpeechText('<speak>Tom &amp; &constructor; &toString; &#x4e2d;</speak>')
      .pieces.map((p) => ('say' in p ? p.say : ''))
      .join('');
    expect(said).toBe('Tom & &constructor; &toString; 中');
  });

  it('refuses character references outside Unicode, naming the field and the position', () => {
    for (const ref of ['&#x110000;', '&#99999999;', '&#xD800;', '&#0;']) {
      expect(issuesOf({ InputConfig: { MediaArray: ['a.mp4'], SpeechTextArray: [`<speak>bad ${ref}</speak>`] } })).toEqual([
        {
          path: 'InputConfig.SpeechTextArray[0]',
          reason: expect.stringMatching(/^malformed markup at character 12: character reference .* is not a Unicode character$/),
        },
      ]);
    }
  });
});

describe('hostile JSON', () => {
  it('refuses nesting 100,000 levels deep (a JSON string or an object), naming where, without overflowing the stack', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const asString = issuesOf({ InputConfig: `{"MediaArray":["a.mp4"],"SceneInfo":${deep}}` });
    expect(asString).toEqual([{ path: `InputConfig.SceneInfo${'[0]'.repeat(31)}`, reason: 'is nested more than 32 levels deep' }]);
    const asObject = issuesOf({
      ...base,
      EditingConfig: JSON.parse(`{"ProcessConfig":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`),
    });
    expect(asObject[0].reason).toBe('is nested more than 32 levels deep');
    expect(asObject[0].path.startsWith('EditingConfig.ProcessConfig.a.a')).toBe(true);
  });

  it('refuses __proto__, constructor and prototype keys anywhere, and none of them changes a setting', () => {
    const issues = issuesOf({
      InputConfig: '{"MediaArray":["a.mp4"],"__proto__":{"SpeechText":"injected"}}',
      EditingConfig: { SpeechConfig: JSON.parse('{"constructor":{"prototype":{"Voice":"x"}}}') },
      OutputConfig: JSON.parse('{"Video":{"__proto__":{"Crf":0}}}'),
    });
    expect(issues).toEqual([
      { path: 'InputConfig.__proto__', reason: '"__proto__" is not allowed as a key' },
      { path: 'EditingConfig.SpeechConfig.constructor', reason: '"constructor" is not allowed as a key' },
      { path: 'OutputConfig.Video.__proto__', reason: '"__proto__" is not allowed as a key' },
    ]);
    expect(({} as Record<string, unknown>).SpeechText).toBeUndefined();
  });

  it('reads numbers written as strings in decimal only: "0x10" is not 16', () => {
    expect(issuesOf({ ...base, OutputConfig: { Count: '0x10' } })).toEqual([
      { path: 'OutputConfig.Count', reason: 'must be a number (from 1 to 100)' },
    ]);
    expect(parseJob({ ...base, OutputConfig: { Count: ' 16 ' } }).job.output.count).toBe(16);
    expect(issuesOf({ ...base, OutputConfig: { Count: '1e3' } })).toEqual([
      { path: 'OutputConfig.Count', reason: '1000 is out of range: must be from 1 to 100' },
    ]);
  });

  it('says that an out-of-range number is out of range, and what the range is', () => {
    const cases: [object, string, string][] = [
      [
        { EditingConfig: { SpeechConfig: { SpeechRate: 501 } } },
        'EditingConfig.SpeechConfig.SpeechRate',
        '501 is out of range: must be from -500 to 500',
      ],
      [
        { EditingConfig: { SpeechConfig: { Volume: 11 } } },
        'EditingConfig.SpeechConfig.Volume',
        '11 is out of range: must be from 0 to 10',
      ],
      [{ EditingConfig: { SpeechConfig: { Gain: -1 } } }, 'EditingConfig.SpeechConfig.Gain', '-1 is out of range: must be from 0 to 10'],
      [
        { EditingConfig: { BackgroundImageConfig: { Radius: 2 } } },
        'EditingConfig.BackgroundImageConfig.Radius',
        '2 is out of range: must be from 0 to 1',
      ],
      [{ OutputConfig: { Video: { Crf: 60 } } }, 'OutputConfig.Video.Crf', '60 is out of range: must be from 0 to 51'],
      [{ OutputConfig: { Video: { Fps: 500 } } }, 'OutputConfig.Video.Fps', '500 is out of range: must be from 1 to 120'],
      [
        { EditingConfig: { TitleConfig: { FontSize: -3 } } },
        'EditingConfig.TitleConfig.FontSize',
        '-3 is out of range: must be from 0 to 5000',
      ],
      [
        { InputConfig: { ...base.InputConfig, StickerArray: [{ MediaURL: 'a.png', Opacity: 1.5 }] } },
        'InputConfig.StickerArray[0].Opacity',
        '1.5 is out of range: must be from 0 to 1',
      ],
      [
        { InputConfig: { ...base.InputConfig, SubHeadingArray: [{ Level: 6, TitleArray: ['x'] }] } },
        'InputConfig.SubHeadingArray[0].Level',
        '6 is out of range: must be from 1 to 5',
      ],
      [{ OutputConfig: { Count: 2.5 } }, 'OutputConfig.Count', '2.5 must be a whole number from 1 to 100'],
    ];
    for (const [extra, path, reason] of cases) expect(issuesOf({ ...base, ...extra })).toEqual([{ path, reason }]);
  });

  it('caps what an answer repeats: 10,000 bad transition names are one short issue', () => {
    const issues = issuesOf({
      ...base,
      EditingConfig: { ProcessConfig: { TransitionList: Array.from({ length: 10_000 }, (_, i) => `nope${i}`).join(',') } },
    });
    expect(issues).toHaveLength(1);
    expect(issues[0].reason).toMatch(/^10000 unknown names: "nope0", "nope1", "nope2", "nope3", "nope4", …; valid names: directional, /);
    expect(JSON.stringify(issues).length).toBeLessThan(2000);
  });

  it('shortens a 1 MB value in the answer', () => {
    const issues = issuesOf({ ...base, EditingConfig: { SpeechConfig: { Style: 'x'.repeat(1_000_000) } } });
    expect(issues[0].reason).toBe(`unknown style "${'x'.repeat(60)}…(1000000 characters)"; valid: Gentle, Serious, Entertainment`);
  });

  it('raises durations far below a frame to two frames, and says so', () => {
    const p = parseJob({
      ...base,
      EditingConfig: { ProcessConfig: { SingleShotDuration: 1e-9, ImageDuration: '1e-9', TransitionDuration: 1e-9 } },
    });
    expect(p.job.process).toMatchObject({ singleShotDuration: 0.067, imageDuration: 0.067, transitionDuration: 0.067 });
    expect(p.warnings).toContain('EditingConfig.ProcessConfig.SingleShotDuration: 1e-9 s is shorter than two frames; 0.067 s is used');
  });

  it('refuses a voice-over text with nothing to speak (emoji, punctuation, invisible characters)', () => {
    expect(issuesOf({ InputConfig: { MediaArray: ['a.mp4'], SpeechTextArray: ['🎉🎉!!', '\u200b\u200b', 'fine'] } })).toEqual([
      {
        path: 'InputConfig.SpeechTextArray[0]',
        reason: '"🎉🎉!!" has nothing to speak (only punctuation, symbols, emoji or invisible characters)',
      },
      {
        path: 'InputConfig.SpeechTextArray[1]',
        reason: '"\u200b\u200b" has nothing to speak (only punctuation, symbols, emoji or invisible characters)',
      },
    ]);
  });

  it('refuses an output longer than the longest the service makes', () => {
    expect(issuesOf({ ...base, OutputConfig: { MaxDuration: 3000 } })).toEqual([
      { path: 'OutputConfig.MaxDuration', reason: '3000 s is longer than the longest output this service makes (600 s)' },
    ]);
  });
});

describe('subprocesses die with reelsmith', () => {
  it('a leashed subprocess is killed by the kernel when its parent is killed -9 (and one started directly is not)', async () => {
    const dir = tempDir();
    const script = join(dir, 'parent.mts');
    writeFileSync(
      script,
      `import { spawn } from 'node:child_process';
       import { leashed } from ${JSON.stringify(join(import.meta.dirname, '..', 'src', 'util', 'leash.ts'))};
       const [cmd, args] = process.argv[2] === 'leashed' ? await leashed('sleep', ['30']) : ['sleep', ['30']];
       const child = spawn(cmd, args, { stdio: 'ignore' });
       console.log(child.pid);
       setInterval(() => {}, 1000);`,
    );
    const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^\d+ \(\S+\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const run = async (mode: string) => {
      const parent = spawn(process.execPath, ['--import', 'tsx', script, mode], {
        stdio: ['ignore', 'pipe', 'inherit'],
        cwd: join(import.meta.dirname, '..'),
      });
      const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
      expect(alive(pid)).toBe(true);
      parent.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 300));
      const survived = alive(pid);
      if (survived) process.kill(pid, 'SIGKILL');
      return survived;
    };
    expect(await run('direct')).toBe(true);
    expect(await run('leashed')).toBe(false);
  });
});

describe('a render stays within its memory bound', () => {
  it('fails the output, saying so, when FFmpeg would need more than the bound (and renders within a sensible one)', async () => {
    useTempHome();
    const job = () =>
      parseJob({
        InputConfig: { MediaArray: [media('rgb_parts.mp4')] },
        OutputConfig: { MediaURL: 'm_{index}.mp4', Width: 180, Height: 320, FixedDuration: 1 },
      });
    const tight = await produce(job(), { home: testHome(), outDir: tempDir(), seed: 1, maxRenderMemoryBytes: 150 * 1024 ** 2 });
    expect(tight.EditingBatchJob.SubJobList[0]).toMatchObject({
      Status: 'Failed',
      ErrorCode: 'RenderFailed',
      ErrorMessage: 'the render needed more than its memory bound of 150 MB',
    });
    const fine = await produce(job(), { home: testHome(), outDir: tempDir(), seed: 1, maxRenderMemoryBytes: 4096 * 1024 ** 2 });
    expect(fine.EditingBatchJob.SubJobList[0].Status).toBe('Success');
  });
});

describe('files that are not what they claim', () => {
  it('refuses a FIFO, a device and a folder at once, without opening them', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'clip.mp4');
    execFileSync('mkfifo', [fifo]);
    for (const [ref, why] of [
      [fifo, 'is not a regular file (a FIFO, socket or device)'],
      ['/dev/zero', 'is not a regular file (a FIFO, socket or device)'],
      [dir, 'is a folder, not a file'],
    ]) {
      const started = Date.now();
      await expect(localFile(ref, dir, dir)).rejects.toMatchObject({
        code: 'InvalidMaterial.Unreadable',
        message: expect.stringContaining(why),
      });
      expect(Date.now() - started).toBeLessThan(1000);
    }
  });

  it('refuses a job file that is a FIFO, a device or too large, quickly and by name (exit 2)', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'job.json');
    execFileSync('mkfifo', [fifo]);
    const big = join(dir, 'big.json');
    writeFileSync(big, `{"InputConfig":${JSON.stringify('x'.repeat(11 * 1024 * 1024))}}`);
    for (const [file, why] of [
      [fifo, 'is not a regular file'],
      ['/dev/zero', 'is not a regular file'],
      [big, 'a job file is at most 10485760 bytes'],
      [join(dir, 'none.json'), 'does not exist'],
    ]) {
      const started = Date.now();
      const r = await cli(['plan', file]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(why);
      expect(Date.now() - started).toBeLessThan(10_000);
    }
  });

  it('writes outputs inside the output folder whatever their name says, and refuses bad colours', async () => {
    useTempHome();
    const out = tempDir();
    const m = await produce(
      parseJob({
        InputConfig: { MediaArray: [media('rgb_parts.mp4')] },
        OutputConfig: { MediaURL: '../../../tmp/escape_{index}.mp4', Width: 180, Height: 320, FixedDuration: 1 },
      }),
      { home: testHome(), outDir: out, seed: 1 },
    );
    expect(m.Plans[0].file).toBe(join(out, 'escape_0.mp4'));
    expect(existsSync(join(out, 'escape_0.mp4'))).toBe(true);
    expect(issuesOf({ ...base, EditingConfig: { TitleConfig: { FontColor: '&H00FF00&\\N{\\p1}' } } })).toEqual([
      { path: 'EditingConfig.TitleConfig.FontColor', reason: expect.stringContaining('is not a #rrggbb colour') },
    ]);
  });

  it('refuses local files outside the allowed folders by name alone, and symlinks out of them', async () => {
    const dir = tempDir();
    const allowed = join(dir, 'media');
    mkdirSync(allowed);
    writeFileSync(join(allowed, 'ok.mp4'), 'x');
    execFileSync('ln', ['-s', '/etc/passwd', join(allowed, 'escape.mp4')]);
    const policy = { allowedDirs: [allowed] };
    await expect(localFile(join(allowed, 'ok.mp4'), dir, dir, policy)).resolves.toBe(join(allowed, 'ok.mp4'));
    const exists = await localFile('/etc/passwd', dir, dir, policy).catch((e: Error) => e.message);
    const missing = await localFile('/etc/no-such-file', dir, dir, policy).catch((e: Error) => e.message);
    // the same answer whether or not the file exists
    expect(exists.replace('passwd', 'X')).toBe(missing.replace('no-such-file', 'X'));
    expect(exists).toMatch(/local files are not accepted here/);
    await expect(localFile(join(allowed, 'escape.mp4'), dir, dir, policy)).rejects.toThrow(/local files are not accepted here/);
  });
});

describe('downloads are cut by size and time', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/huge.mp4') {
        res.writeHead(200, { 'content-length': String(10 * 1024 ** 3) });
        res.write(Buffer.alloc(1024));
        return; // and never more
      }
      if (req.url === '/slow-headers.mp4') return; // never answers
      if (req.url === '/trickle.mp4') {
        res.writeHead(200);
        res.write(Buffer.alloc(10));
        return; // then silence
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('refuses a 10 GB announcement before reading its body', async () => {
    const started = Date.now();
    await expect(fetchToCache(`${url}/huge.mp4`, { cacheDir: tempDir(), maxBytes: 1024 ** 3 })).rejects.toMatchObject({
      code: 'InvalidMaterial.Unreadable',
      message: expect.stringContaining(`announces ${10 * 1024 ** 3} bytes; the limit is ${1024 ** 3}`),
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('cuts a server that sends no headers, and one that stops sending, by their time limits', async () => {
    const opts = { cacheDir: tempDir(), headersTimeoutMs: 300, idleTimeoutMs: 300, retryDelaysMs: [] };
    await expect(fetchToCache(`${url}/slow-headers.mp4`, opts)).rejects.toThrow('download cut: no response within 0.3 s');
    await expect(fetchToCache(`${url}/trickle.mp4`, opts)).rejects.toThrow('download cut: nothing received for 0.3 s');
  });

  it('refuses a private address once, as an invalid parameter', async () => {
    const err = (await fetchToCache(`${url}/x.mp4`, { cacheDir: tempDir(), allowPrivate: false }).catch(
      (e: unknown) => e,
    )) as ReelsmithError;
    expect(err.code).toBe('InvalidParameter');
    expect(err.message.split('127.0.0.1').length - 1).toBeLessThanOrEqual(2);
    expect(err.message).toMatch(/^material "http:\/\/127\.0\.0\.1:\d+\/x\.mp4" refused: .*private or loopback/);
  });
});

describe('outputs never replace what the user owns', () => {
  const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

  it('refuses an output named like an input material, naming both, and leaves the material intact', async () => {
    useTempHome();
    const dir = tempDir();
    copyFileSync(media('rgb_parts.mp4'), join(dir, 'clip_0.mp4'));
    const before = sha(join(dir, 'clip_0.mp4'));
    const parsed = parseJob(
      {
        InputConfig: { MediaArray: ['clip_0.mp4'] },
        OutputConfig: { MediaURL: 'clip_{index}.mp4', Width: 180, Height: 320, FixedDuration: 1 },
      },
      { baseDir: dir },
    );
    const err = (await produce(parsed, { home: testHome(), outDir: dir, seed: 1 }).catch((e: unknown) => e)) as JobValidationError;
    expect(err.issues).toEqual([
      {
        path: 'OutputConfig.MediaURL',
        reason: `output 0 (${join(dir, 'clip_0.mp4')}) would overwrite the material "clip_0.mp4" named by InputConfig.MediaArray[0]`,
      },
    ]);
    expect(sha(join(dir, 'clip_0.mp4'))).toBe(before);
  });

  it('refuses to replace a file reelsmith did not make, but re-renders its own outputs', async () => {
    useTempHome();
    const out = tempDir();
    writeFileSync(join(out, 'o_0.mp4'), 'my holiday video');
    const parsed = parseJob({
      InputConfig: { MediaArray: [media('rgb_parts.mp4')] },
      OutputConfig: { MediaURL: 'o_{index}.mp4', Width: 180, Height: 320, FixedDuration: 1 },
    });
    await expect(produce(parsed, { home: testHome(), outDir: out, seed: 1 })).rejects.toThrow(
      /would replace .*o_0\.mp4, which reelsmith did not make/,
    );
    expect(readFileSync(join(out, 'o_0.mp4'), 'utf8')).toBe('my holiday video');
    const fresh = tempDir();
    expect((await produce(parsed, { home: testHome(), outDir: fresh, seed: 1 })).EditingBatchJob.Status).toBe('Finished');
    expect((await produce(parsed, { home: testHome(), outDir: fresh, seed: 2 })).EditingBatchJob.Status).toBe('Finished');
  });

  it('refuses output folders that are files, or under /proc or /sys, before any work; and a data folder that is a file', async () => {
    const dir = tempDir();
    const job = writeJob(dir, {
      InputConfig: { MediaArray: [media('rgb_parts.mp4')] },
      OutputConfig: { MediaURL: 'o_{index}.mp4', Width: 180, Height: 320 },
    });
    writeFileSync(join(dir, 'file'), 'x');
    for (const [out, why] of [
      [join(dir, 'file'), 'exists and is not a folder'],
      [join(dir, 'file', 'sub'), 'is a file, so'],
      ['/proc/self/out', 'is under /proc; outputs cannot go there'],
      ['/sys/kernel/out', 'is under /sys; outputs cannot go there'],
    ]) {
      const r = await cli(['produce', job, '--out', out], { REELSMITH_HOME: join(dir, 'home') });
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toContain(why);
    }
    const r = await cli(['produce', job, '--out', join(dir, 'out')], { REELSMITH_HOME: join(dir, 'file') });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^InvalidParameter: the data folder .*file is a file, not a folder; set REELSMITH_HOME/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('text is text', () => {
  it('shows a typed \\N and braces in a title as typed: one line, not a line break, nothing swallowed', async () => {
    useTempHome();
    const render = async (title: string) => {
      const out = tempDir();
      await produce(
        parseJob({
          InputConfig: { MediaArray: [media('dark_portrait.mp4')], Title: title },
          EditingConfig: { TitleConfig: { FontSize: 24, Outline: 0, FontColor: '#ffffff', Alignment: 'CenterCenter' } },
          OutputConfig: { MediaURL: 't_{index}.mp4', Width: 360, Height: 640, FixedDuration: 1 },
        }),
        { home: testHome(), outDir: out, seed: 1 },
      );
      return ink(await frameAt(join(out, 't_0.mp4'), 0.5), { atLeast: 501 });
    };
    const typed = await render('AB\\NCD');
    const broken = await render('AB\nCD'.replace('\n', ' ')); // the same letters on one line, without the backslash
    // one line high (a line break would double it), and wider than the text without "\N"
    expect(typed.height).toBeLessThan(24 * 1.3);
    expect(typed.width).toBeGreaterThan(broken.width);
    const braces = await render('{\\i1}x');
    const plain = await render('x');
    expect(braces.width).toBeGreaterThan(plain.width * 3);
  });

  it('refers to a FontUrl font by an alias, so that a family name with commas and a newline cannot inject ASS', () => {
    const dir = tempDir();
    const evil = join(dir, 'evil.ttf');
    const name = 'Evil, Font\n[Events]\nDialogue: 0,0:00:00.00,0:00:05.00,Caption,,0,0,0,,INJECTED';
    writeFileSync(evil, setFontNames(readFileSync('/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf'), name)!);
    expect((fontkit.openSync(evil) as unknown as { familyName: string }).familyName).toBe(name);
    return captionsWithFont(evil).then(({ ass, frame, plainFrame }) => {
      expect(ass).not.toContain('INJECTED');
      const style = ass.split('\n').find((l) => l.startsWith('Style: Caption,'))!;
      expect(style.split(',')).toHaveLength(23);
      expect(style).toContain(',ReelsmithFont0,');
      // and the font is really used: the caption looks different from the default font's
      let diff = 0;
      for (let i = 0; i < frame.data.length; i++) diff += Math.abs(frame.data[i] - plainFrame.data[i]);
      expect(diff / frame.data.length).toBeGreaterThan(1);
    });
  });
});

describe('captions always fit', () => {
  it('shrinks a caption font too large for a 180-pixel-wide frame and breaks its lines inside it', async () => {
    useTempHome();
    const out = tempDir();
    const m = await produce(
      parseJob({
        InputConfig: { MediaArray: [media('dark_portrait.mp4')], SpeechText: 'Incomprehensibilities everywhere tonight' },
        EditingConfig: { SpeechConfig: { AsrConfig: { FontSize: 150, Outline: 0, FontColor: '#ffffff' } } },
        OutputConfig: { MediaURL: 'c_{index}.mp4', Width: 180, Height: 320 },
      }),
      { home: testHome(), outDir: out, seed: 1 },
    );
    const track = m.Plans[0].timeline!.captions!;
    expect(track.style.fontSize).toBeLessThan(150);
    for (const c of track.captions) {
      const { total, atEdges } = ink(await frameAt(join(out, 'c_0.mp4'), (c.start + c.end) / 2), { atLeast: 450, edge: 2 });
      expect(total).toBeGreaterThan(50);
      expect(atEdges).toBe(0);
    }
  });
});

describe('text always fits', () => {
  for (const [w, h] of [
    [180, 320],
    [720, 1280],
    [1080, 1920],
  ])
    it(`keeps long Latin and CJK titles and sub-headings inside a ${w}-pixel-wide frame`, async () => {
      useTempHome();
      const out = tempDir();
      const m = await produce(
        parseJob({
          InputConfig: {
            MediaArray: [media('dark_portrait.mp4')],
            TitleArray: ['Grand opening weekend: everything must go tonight', '盒马鲜生全新门店盛大开业欢迎大家前来选购新鲜水果'],
            SubHeadingArray: [{ Level: 1, TitleArray: ['Supercalifragilisticexpialidocious offers'] }],
          },
          EditingConfig: { TitleConfig: { Outline: 0, FontColor: '#ffffff', FontSize: Math.round(w / 6) } },
          OutputConfig: { MediaURL: 'w_{index}.mp4', Count: 2, Width: w, Height: h, FixedDuration: 1 },
        }),
        { home: testHome(), outDir: out, seed: 1 },
      );
      for (const [i, p] of m.Plans.entries()) {
        const t = p.timeline!;
        // broken into lines, shrunk when a word alone was too wide
        expect(t.title!.lines.length).toBeGreaterThan(1);
        const f = await frameAt(join(out, `w_${i}.mp4`), 0.5);
        const { atEdges, total } = ink(f, { atLeast: 450, edge: Math.max(2, Math.round(w / 90)) });
        expect(total).toBeGreaterThan(w);
        expect(atEdges).toBe(0);
      }
    });
});

/** The ASS document a render writes for a caption in a FontUrl font, and frames with and without that font. */
async function captionsWithFont(font: string) {
  useTempHome();
  const params = (fontUrl?: string) =>
    parseJob({
      InputConfig: { MediaArray: [media('dark_portrait.mp4')], SpeechText: 'Hello world' },
      EditingConfig: { SpeechConfig: { AsrConfig: { FontSize: 40, Outline: 0, ...(fontUrl ? { FontUrl: fontUrl } : {}) } } },
      OutputConfig: { MediaURL: 'c_{index}.mp4', Width: 360, Height: 640 },
    });
  const make = async (fontUrl?: string) => {
    const out = tempDir();
    const m = await produce(params(fontUrl), { home: testHome(), outDir: out, seed: 1 });
    expect(m.EditingBatchJob.SubJobList[0].Status).toBe('Success');
    return frameAt(join(out, 'c_0.mp4'), 0.4);
  };
  const p = await prepare(params(font), { home: testHome(), seed: 1 });
  const family = await installFont(p.fonts.get(font)!, tempDir(), 0, font);
  const ass = buildAss(p.plan.timelines[0] as Timeline, new Map([[font, family]]));
  return { ass, frame: await make(font), plainFrame: await make() };
}
