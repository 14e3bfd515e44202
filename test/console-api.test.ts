/**
 * The API the web console uses, as any client uses it: uploads streamed into the library,
 * thumbnails, validation without submitting, voice samples, a job's progress as server-sent events.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Service, startService } from '../src/shells/http/service.js';
import { ffprobe, media, restClient, tempDir } from './helpers.js';
import { failedOutputAgain } from './rerender.js';

let service: Service;
const H = { authorization: 'Bearer AKconsole:console-secret' };

beforeAll(async () => {
  service = await startService({
    port: 0,
    dataDir: tempDir('rs-capi-'),
    keys: new Map([['AKconsole', 'console-secret']]),
    maxUploadBytes: 3_000_000,
  });
});
afterAll(() => service?.close());

const upload = (name: string, body: Buffer | Uint8Array | string, headers: Record<string, string> = H) =>
  fetch(`${service.url}/api/v1/media/upload?name=${encodeURIComponent(name)}&tags=a,b`, { method: 'PUT', headers, body: body as BodyInit });

/** A decoded image's size and mean luma (ffmpeg). */
function picture(bytes: Buffer): { width: number; height: number; mean: number } {
  const dir = tempDir('rs-thumb-');
  const f = join(dir, 'thumb');
  writeFileSync(f, bytes);
  const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', f]).toString()) as {
    streams: { width: number; height: number }[];
  };
  const gray = execFileSync('ffmpeg', ['-v', 'error', '-i', f, '-f', 'rawvideo', '-pix_fmt', 'gray', '-']);
  return { ...probe.streams[0], mean: gray.reduce((a, b) => a + b, 0) / gray.length };
}

describe('the console API', () => {
  it('streams an upload into the library, with its tags; refuses a file that is not media, naming it; refuses one too large', async () => {
    const r = await upload('storefront.mp4', readFileSync(media('storefront_opening.mp4')));
    expect(r.status).toBe(201);
    const body = (await r.json()) as {
      MediaId: string;
      MediaInfo: { MediaBasicInfo: { MediaType: string; Title: string; MediaTags: string } };
    };
    expect(body.MediaInfo.MediaBasicInfo).toMatchObject({ MediaType: 'video', Title: 'storefront' });
    // Its title, description and tags changed (REST, as IMS UpdateMediaInfo).
    const changed = await fetch(`${service.url}/api/v1/media/${body.MediaId}`, {
      method: 'PUT',
      headers: { ...H, 'content-type': 'application/json' },
      body: JSON.stringify({ Title: 'Shop front', Description: 'opening day', MediaTags: 'shop, opening' }),
    });
    expect(changed.status).toBe(200);
    const after = (
      (await (await fetch(`${service.url}/api/v1/media/${body.MediaId}`, { headers: H })).json()) as {
        MediaInfo: { MediaBasicInfo: { Title: string; Description: string; MediaTags: string } };
      }
    ).MediaInfo.MediaBasicInfo;
    expect(after).toMatchObject({ Title: 'Shop front', Description: 'opening day', MediaTags: 'shop,opening' });
    const bad = await upload('notes.mp4', 'just some text');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { Message: string }).Message).toMatch(/^notes\.mp4: not a video, image or audio file/);
    const big = await upload('big.mp4', new Uint8Array(4_000_000));
    expect(big.status).toBe(400);
    expect((await upload('x.mp4', 'x', {})).status).toBe(401);
    // Nothing half-written is left in the library: one item.
    const list = (await (await fetch(`${service.url}/api/v1/media`, { headers: H })).json()) as { MediaInfos: unknown[] };
    expect(list.MediaInfos).toHaveLength(1);
  });

  it('resumes an upload cut off in the middle from the offset the service has, and files it in the library whole', async () => {
    const whole = readFileSync(media('storefront_opening.mp4'));
    const json = restClient(service.url, H);
    const made = await json('POST', '/api/v1/media/uploads', { Name: 'resumed.mp4', Size: whole.length });
    expect(made.status).toBe(201);
    const id = made.body.UploadId as string;
    const piece = (at: number, bytes: Uint8Array | ReadableStream, signal?: AbortSignal) =>
      fetch(`${service.url}/api/v1/media/uploads/${id}`, {
        method: 'PATCH',
        headers: { ...H, 'upload-offset': String(at), 'content-type': 'application/octet-stream' },
        body: bytes as BodyInit,
        signal,
        duplex: 'half',
      } as RequestInit);
    // A first piece, then one cut off by the client after two of its chunks.
    expect(((await (await piece(0, whole.subarray(0, 50_000))).json()) as { Offset: number }).Offset).toBe(50_000);
    const stop = new AbortController();
    let sent = 0;
    const stream = new ReadableStream({
      async pull(c) {
        if (sent >= 2) {
          await new Promise((r) => setTimeout(r, 300));
          stop.abort();
          return;
        }
        c.enqueue(whole.subarray(50_000 + sent * 10_000, 50_000 + (sent + 1) * 10_000));
        sent++;
      },
    });
    await piece(50_000, stream, stop.signal).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const offset = (await json('GET', `/api/v1/media/uploads/${id}`)).body.Offset as number;
    expect(offset).toBeGreaterThanOrEqual(50_000);
    expect(offset).toBeLessThanOrEqual(70_000);
    // A piece from the wrong place is refused, saying where to resume.
    const wrong = await piece(0, whole.subarray(0, 10));
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { Message: string }).Message).toContain(`has ${offset} bytes`);
    const last = (await (await piece(offset, whole.subarray(offset))).json()) as { MediaId: string; Offset: number };
    expect(last.Offset).toBe(whole.length);
    const info = (await json('GET', `/api/v1/media/${last.MediaId}`)).body.MediaInfo as {
      FileInfoList: { FileBasicInfo: { FileSize: string } }[];
    };
    expect(Number(info.FileInfoList[0].FileBasicInfo.FileSize)).toBe(whole.length);
    expect((await json('GET', `/api/v1/media/uploads/${id}`)).status).toBe(400);
  });

  it('puts uploaded music with a style in the music library as well; a wrong style or a video with a style is refused', async () => {
    const r = await fetch(`${service.url}/api/v1/media/upload?name=theme.mp3&musicStyle=bgm-upbeat`, {
      method: 'PUT',
      headers: H,
      body: readFileSync(media('relaxing_theme.mp3')) as unknown as BodyInit,
    });
    expect(r.status).toBe(201);
    expect(((await r.json()) as { MusicStyle: string }).MusicStyle).toBe('bgm-upbeat');
    expect(existsSync(join(service.home.music, 'bgm-upbeat', 'theme.mp3'))).toBe(true);
    const wrong = await fetch(`${service.url}/api/v1/media/upload?name=t.mp3&musicStyle=bgm-nope`, {
      method: 'PUT',
      headers: H,
      body: 'x',
    });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { Message: string }).Message).toMatch(/musicStyle: unknown music style/);
    const video = await fetch(`${service.url}/api/v1/media/upload?name=v.mp4&musicStyle=bgm-upbeat`, {
      method: 'PUT',
      headers: H,
      body: readFileSync(media('mall_crowd.mp4')) as unknown as BodyInit,
    });
    expect(video.status).toBe(400);
    const titles = (
      (await (await fetch(`${service.url}/api/v1/media?maxResults=100`, { headers: H })).json()) as {
        MediaInfos: { MediaBasicInfo: { Title: string } }[];
      }
    ).MediaInfos.map((m) => m.MediaBasicInfo.Title);
    expect(titles).toContain('theme');
    expect(titles).not.toContain('v');
  });

  it('plays library media in a page through a signed link with range requests; a forged or expired link is refused', async () => {
    const id = ((await (await upload('queue.mp4', readFileSync(media('checkout_queue.mp4')))).json()) as { MediaId: string }).MediaId;
    const link = (await (await fetch(`${service.url}/api/v1/media/${id}/link`, { headers: H })).json()) as { URL: string };
    expect(link.URL).toMatch(new RegExp(`^/media-files/${id}\\?expires=\\d+&signature=[0-9a-f]{64}$`));
    const whole = readFileSync(media('checkout_queue.mp4'));
    const part = await fetch(`${service.url}${link.URL}`, { headers: { range: 'bytes=100-1099' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-1099/${whole.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(whole.subarray(100, 1100))).toBe(true);
    const all = await fetch(`${service.url}${link.URL}`);
    expect(Buffer.from(await all.arrayBuffer()).equals(whole)).toBe(true);
    const forged = link.URL.replace(/signature=(.)/, (_m, c: string) => `signature=${c === 'a' ? 'b' : 'a'}`);
    expect((await fetch(`${service.url}${forged}`)).status).toBe(401);
    const expired = link.URL.replace(/expires=\d+/, 'expires=1000');
    expect((await fetch(`${service.url}${expired}`)).status).toBe(401);
    expect((await fetch(`${service.url}/api/v1/media/${id}/link`)).status).toBe(401);
  });

  it('answers thumbnails: a frame of a video (not black), a scaled image, the waveform of audio', async () => {
    const ids: Record<string, string> = {};
    for (const f of ['mall_crowd.mp4', 'fresh_fruit.png', 'relaxing_theme.mp3'])
      ids[f] = ((await (await upload(f, readFileSync(media(f)))).json()) as { MediaId: string }).MediaId;
    const get = async (id: string) => {
      const r = await fetch(`${service.url}/api/v1/media/${id}/thumbnail`, { headers: H });
      expect(r.status).toBe(200);
      return { type: r.headers.get('content-type'), bytes: Buffer.from(await r.arrayBuffer()) };
    };
    const video = await get(ids['mall_crowd.mp4']);
    expect(video.type).toBe('image/jpeg');
    const v = picture(video.bytes);
    expect(Math.max(v.width, v.height)).toBeLessThanOrEqual(320);
    expect(v.mean).toBeGreaterThan(20);
    const image = await get(ids['fresh_fruit.png']);
    expect(picture(image.bytes).width).toBeLessThanOrEqual(320);
    const audio = await get(ids['relaxing_theme.mp3']);
    expect(audio.type).toBe('image/png');
    expect(picture(audio.bytes)).toMatchObject({ width: 320, height: 120 });
    expect((await fetch(`${service.url}/api/v1/media/${ids['mall_crowd.mp4']}/thumbnail`)).status).toBe(401);
  });

  it('draws what a transition looks like as a strip of frames (kept), and refuses names outside the catalogue', async () => {
    const r = await fetch(`${service.url}/api/v1/previews/transitions/wipeleft.png`, { headers: H });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/png');
    const strip = picture(Buffer.from(await r.arrayBuffer()));
    // Five frames side by side, each a 9:16 sample.
    expect(strip.width).toBeGreaterThan(strip.height);
    expect(strip.mean).toBeGreaterThan(20);
    // Kept: asked again, the same picture from the cache, not drawn again.
    const kept = join(service.home.cache, 'strips', 'transition-wipeleft.png');
    const drawnAt = statSync(kept).mtimeMs;
    const again = Buffer.from(await (await fetch(`${service.url}/api/v1/previews/transitions/wipeleft`, { headers: H })).arrayBuffer());
    expect(again.equals(readFileSync(kept))).toBe(true);
    expect(statSync(kept).mtimeMs).toBe(drawnAt);
    const bad = await fetch(`${service.url}/api/v1/previews/transitions/${encodeURIComponent('../../etc')}.png`, { headers: H });
    expect(bad.status).toBe(400);
    expect((await fetch(`${service.url}/api/v1/previews/effects/nothing.png`, { headers: H })).status).toBe(400);
  });

  it("draws a caption in the job's caption style on a still; a wrong style is refused naming its field", async () => {
    const draw = (Text: string, AsrConfig: object) =>
      fetch(`${service.url}/api/v1/previews/caption`, {
        method: 'POST',
        headers: { ...H, 'content-type': 'application/json' },
        body: JSON.stringify({ Text, AsrConfig, Width: 360, Height: 640 }),
      });
    const one = await draw('Grand opening today.', { AaiMotionInEffect: 'fade_in', FontColor: '#ffff00' });
    expect(one.headers.get('content-type')).toBe('image/png');
    const a = Buffer.from(await one.arrayBuffer());
    expect(picture(a)).toMatchObject({ width: 360, height: 640 });
    const other = Buffer.from(
      await (await draw('Fresh fruit every morning.', { AaiMotionInEffect: 'fade_in', FontColor: '#ffff00' })).arrayBuffer(),
    );
    expect(other.equals(a)).toBe(false);
    const bad = await draw('x', { AaiMotionInEffect: 'no_such_effect' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { Message: string }).Message).toMatch(/EditingConfig\.SpeechConfig\.AsrConfig\.AaiMotionInEffect/);
  });

  it('signs the console in with its password (the key it is configured with); wrong passwords are counted and then refused for a while', async () => {
    const local = await startService({
      port: 0,
      dataDir: tempDir('rs-password-'),
      keys: new Map([
        ['AKfirst', 'first-secret'],
        ['AKconsole', 'console-secret'],
      ]),
      consolePassword: 'open sesame',
      consoleKey: 'AKconsole',
    });
    try {
      const signIn = (Password: string) =>
        fetch(`${local.url}/api/v1/console/sign-in`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ Password }),
        });
      const ok = (await (await signIn('open sesame')).json()) as { AccessKeyId: string; AccessKeySecret: string };
      expect(ok).toMatchObject({ AccessKeyId: 'AKconsole', AccessKeySecret: 'console-secret' });
      expect(
        (await fetch(`${local.url}/api/v1/voices`, { headers: { authorization: `Bearer ${ok.AccessKeyId}:${ok.AccessKeySecret}` } }))
          .status,
      ).toBe(200);
      for (let i = 0; i < 5; i++) expect((await signIn('guess')).status).toBe(401);
      // Five wrong in a row: refused for a while, even the right one.
      expect((await signIn('open sesame')).status).toBe(429);
    } finally {
      await local.close();
    }
    // Without a password configured: said so.
    const none = await fetch(`${service.url}/api/v1/console/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"Password":"x"}',
    });
    expect(((await none.json()) as { Message: string }).Message).toMatch(/no console password is configured/);
  });

  it('lets an operator (a key of the configuration) make, list and delete access keys; a made key works at once and is no operator', async () => {
    const call = restClient(service.url, H);
    const made = await call('POST', '/api/v1/access-keys', { Description: 'for the agency', UserId: 42 });
    expect(made.status).toBe(201);
    const { AccessKeyId, AccessKeySecret } = made.body as { AccessKeyId: string; AccessKeySecret: string };
    expect(AccessKeyId).toMatch(/^LTAI[A-Za-z0-9]{20}$/);
    const theirs = { authorization: `Bearer ${AccessKeyId}:${AccessKeySecret}` };
    expect((await call('GET', '/api/v1/voices', undefined, theirs)).status).toBe(200);
    const listed = (await call('GET', '/api/v1/access-keys')).body.AccessKeys as {
      AccessKeyId: string;
      Source: string;
      UserId: number | null;
    }[];
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ AccessKeyId: 'AKconsole', Source: 'configuration' }),
        expect.objectContaining({ AccessKeyId, Source: 'console', UserId: 42 }),
      ]),
    );
    expect(JSON.stringify(listed)).not.toContain(AccessKeySecret);
    // Not an operator: may use the API, not manage keys.
    expect((await call('GET', '/api/v1/access-keys', undefined, theirs)).status).toBe(403);
    expect((await call('DELETE', '/api/v1/access-keys/AKconsole')).status).toBe(400);
    expect((await call('DELETE', `/api/v1/access-keys/${AccessKeyId}`)).status).toBe(200);
    expect((await call('GET', '/api/v1/voices', undefined, theirs)).status).toBe(401);
    expect((await call('DELETE', `/api/v1/access-keys/${AccessKeyId}`)).status).toBe(404);
  });

  it('validates a job without submitting it: every problem with its field path', async () => {
    const r = await fetch(`${service.url}/api/v1/jobs/validate`, {
      method: 'POST',
      headers: { ...H, 'content-type': 'application/json' },
      body: JSON.stringify({
        InputConfig: { MediaArray: ['a.mp4'] },
        EditingConfig: { SpeechConfig: { Voice: 'nobody' } },
        OutputConfig: { Width: 5 },
      }),
    });
    const v = (await r.json()) as { Valid: boolean; Issues: { Path: string; Reason: string }[] };
    expect(v.Valid).toBe(false);
    expect(v.Issues.map((i) => i.Path)).toEqual(expect.arrayContaining(['EditingConfig.SpeechConfig.Voice', 'OutputConfig.Width']));
    const jobs = (await (await fetch(`${service.url}/api/v1/jobs`, { headers: H })).json()) as { EditingBatchJobList: unknown[] };
    expect(jobs.EditingBatchJobList).toHaveLength(0);
  });

  it('speaks a sample of a voice as WAV; an unknown voice is refused naming it', async () => {
    const r = await fetch(`${service.url}/api/v1/voices/sample`, {
      method: 'POST',
      headers: { ...H, 'content-type': 'application/json' },
      body: JSON.stringify({ Voice: 'cally', Text: 'Grand opening today.' }),
    });
    expect(r.headers.get('content-type')).toBe('audio/wav');
    const f = join(tempDir('rs-sample-'), 's.wav');
    writeFileSync(f, Buffer.from(await r.arrayBuffer()));
    expect((await ffprobe(f)).duration).toBeGreaterThan(0.5);
    // A speaking style changes the sample; an unknown one is refused.
    const styled = await fetch(`${service.url}/api/v1/voices/sample`, {
      method: 'POST',
      headers: { ...H, 'content-type': 'application/json' },
      body: JSON.stringify({ Voice: 'cally', Text: 'Grand opening today.', Style: 'serious' }),
    });
    expect(styled.status).toBe(200);
    const g = join(tempDir('rs-sample-'), 'g.wav');
    writeFileSync(g, Buffer.from(await styled.arrayBuffer()));
    expect(readFileSync(g).equals(readFileSync(f))).toBe(false);
    const unknownStyle = await fetch(`${service.url}/api/v1/voices/sample`, {
      method: 'POST',
      headers: { ...H, 'content-type': 'application/json' },
      body: JSON.stringify({ Voice: 'cally', Style: 'shouty' }),
    });
    expect(unknownStyle.status).toBe(400);
    const bad = await fetch(`${service.url}/api/v1/voices/sample`, {
      method: 'POST',
      headers: { ...H, 'content-type': 'application/json' },
      body: JSON.stringify({ Voice: 'nobody' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { Message: string }).Message).toMatch(/Voice: unknown voice "nobody"/);
  });

  it("streams a job's progress as server-sent events until it ends", async () => {
    const id = (
      (await (
        await fetch(`${service.url}/api/v1/jobs`, {
          method: 'POST',
          headers: { ...H, 'content-type': 'application/json' },
          body: JSON.stringify({
            InputConfig: {
              MediaArray: [
                ((await (await upload('c.mp4', readFileSync(media('checkout_queue.mp4')))).json()) as { MediaId: string }).MediaId,
              ],
            },
            EditingConfig: {},
            OutputConfig: { MediaURL: 'e_{index}.mp4', Count: 2, Width: 180, Height: 320, MaxDuration: 2 },
          }),
        })
      ).json()) as { JobId: string }
    ).JobId;
    const r = await fetch(`${service.url}/api/v1/jobs/${id}/events`, { headers: H });
    expect(r.headers.get('content-type')).toBe('text/event-stream');
    const events = (await r.text())
      .split('\n\n')
      .filter((e) => e.startsWith('event: job'))
      .map((e) => JSON.parse(e.slice(e.indexOf('data: ') + 6)) as { Status: string; SubJobList: { Status: string }[] });
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.at(-1)?.Status).toBe('Finished');
    expect(events.at(-1)?.SubJobList.map((s) => s.Status)).toEqual(['Success', 'Success']);
    // Each event says something new.
    const shown = events.map((e) => JSON.stringify(e));
    expect(new Set(shown).size).toBe(shown.length);
    expect((await fetch(`${service.url}/api/v1/jobs/${'0'.repeat(32)}/events`, { headers: H })).status).toBe(404);
  });

  it('previews the plans as storyboards before submitting; with the same ClientToken the job makes exactly those plans', async () => {
    const ids = await Promise.all(
      ['storefront_opening.mp4', 'store_interior.mp4', 'snacks_and_drinks.mp4'].map(
        async (f) => ((await (await upload(f, readFileSync(media(f)))).json()) as { MediaId: string }).MediaId,
      ),
    );
    const job = {
      InputConfig: {
        MediaGroupArray: [
          { GroupName: 'a', MediaArray: [ids[0], ids[1]] },
          { GroupName: 'b', MediaArray: [ids[1], ids[2]] },
        ],
        SpeechTextArray: ['Grand opening today. Come and see the fresh fruit.'],
      },
      EditingConfig: { SpeechConfig: { Voice: 'cally' } },
      OutputConfig: { MediaURL: 'p_{index}.mp4', Count: 3, Width: 180, Height: 320 },
      ClientToken: 'preview-token-1',
    };
    const post = async (path: string, body: object) =>
      (
        await fetch(`${service.url}${path}`, {
          method: 'POST',
          headers: { ...H, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json();
    const preview = (await post('/api/v1/jobs/preview', job)) as {
      Count: number;
      Outputs: {
        Index: number;
        Duration: number;
        Shots: { Material: string; Group: string; Start: number }[];
        Captions: { Text: string; Start: number; End: number }[];
        Transitions: { Name: string }[];
      }[];
      Uniqueness: { possibleSequences: number };
      Estimate: { RenderSeconds: number; Basis: string };
    };
    expect(preview.Count).toBe(3);
    expect(preview.Outputs).toHaveLength(3);
    for (const o of preview.Outputs) {
      expect(o.Shots.map((x) => x.Group)).toEqual(expect.arrayContaining(['a', 'b']));
      expect(o.Captions.length).toBeGreaterThan(0);
      expect(o.Captions.at(-1)!.End).toBeLessThanOrEqual(o.Duration + 0.01);
    }
    expect(preview.Uniqueness.possibleSequences).toBeGreaterThan(3);
    expect(preview.Estimate.RenderSeconds).toBeGreaterThanOrEqual(0);
    // Submitted with the same token: the outputs are the plans shown.
    const { JobId } = (await post('/api/v1/jobs', job)) as { JobId: string };
    for (let i = 0; i < 600; i++) {
      const b = (
        (await (await fetch(`${service.url}/api/v1/jobs/${JobId}`, { headers: H })).json()) as { EditingBatchJob: { Status: string } }
      ).EditingBatchJob;
      if (b.Status === 'Finished' || b.Status === 'Failed') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const manifest = JSON.parse(readFileSync(join(service.home.root, 'outputs', JobId, 'manifest.json'), 'utf8')) as {
      Plans: { timeline: { duration: number; shots: { material: { ref: string }; start: number }[] } }[];
    };
    for (const [k, o] of preview.Outputs.entries()) {
      const t = manifest.Plans[k].timeline;
      expect(t.shots.map((x) => x.material.ref)).toEqual(o.Shots.map((x) => x.Material));
      expect(Math.abs(t.duration - o.Duration)).toBeLessThan(0.01);
    }
  });

  it('renders a failed output once more on request (the job completes again), and zips the outputs of a job', async () => {
    await failedOutputAgain(
      (o) => startService({ port: 0, dataDir: tempDir('rs-rerender-'), keys: new Map([['AKconsole', 'console-secret']]), ...o }),
      H,
    );
  });
});
