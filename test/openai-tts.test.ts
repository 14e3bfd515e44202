import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../src/speech/wav.js';
import { cli, meanVolume, media, tempDir, writeJob } from './helpers.js';

interface SpeechCall {
  auth?: string;
  body: { model: string; input: string; voice: string; response_format: string; speed: number };
}

let server: Server;
let base = '';
const calls: SpeechCall[] = [];
let failing = false;

/** A tone whose length follows the text (0.06 s a character at 1×), at 24 kHz like many servers. */
function toneWav(text: string, speed: number): Buffer {
  const rate = 24000;
  const n = Math.round(((text.length * 0.06) / speed) * rate);
  const s = new Int16Array(n);
  for (let i = 0; i < n; i++) s[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate));
  return encodeWav({ sampleRate: rate, samples: s });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/audio/speech') {
        res.writeHead(404).end();
        return;
      }
      if (failing) {
        res.writeHead(500).end('model not loaded');
        return;
      }
      const body = JSON.parse(data);
      calls.push({ auth: req.headers.authorization, body });
      res.writeHead(200, { 'content-type': 'audio/wav' }).end(toneWav(body.input, body.speed));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const job = (dir: string) =>
  writeJob(dir, {
    InputConfig: { MediaArray: [media('mall_crowd.mp4')], SpeechTextArray: ['First sentence here. Second one there.'] },
    EditingConfig: { SpeechConfig: { Voice: 'zhiru', SpeechRate: 500 } },
    OutputConfig: { MediaURL: 'o_{index}.mp4', Count: 3, Width: 180, Height: 320 },
  });

describe('OpenAI-compatible speech engine', () => {
  it('speaks through the configured server, with the voice map, speed and key, once per sentence', async () => {
    const dir = tempDir();
    const env = {
      REELSMITH_HOME: tempDir('rs-tts-home-'),
      REELSMITH_TTS_ENGINE: 'openai',
      REELSMITH_TTS_URL: base,
      REELSMITH_TTS_MODEL: 'kokoro',
      REELSMITH_TTS_API_KEY: 'secret-key',
      REELSMITH_TTS_VOICE_MAP: JSON.stringify({ zhiru: 'zf_xiaoxiao' }),
    };
    calls.length = 0;
    const r = await cli(['produce', job(dir), '--out', join(dir, 'out')], env);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    // three outputs of the same text: each sentence synthesized once for the whole batch
    expect(calls.map((c) => c.body.input).sort()).toEqual(['First sentence here.', 'Second one there.']);
    for (const c of calls) {
      expect(c.body).toMatchObject({ model: 'kokoro', voice: 'zf_xiaoxiao', response_format: 'wav', speed: 2 });
      expect(c.auth).toBe('Bearer secret-key');
    }
    const m = JSON.parse(readFileSync(join(dir, 'out', 'manifest.json'), 'utf8'));
    const segs = m.Plans[0].timeline.voice.segments;
    // the server's audio decides the timing: 0.06 s a character at speed 2 (silence trimmed)
    expect(segs[0].duration).toBeCloseTo(('First sentence here.'.length * 0.06) / 2, 1);
    expect(await meanVolume(join(dir, 'out', 'o_0.mp4'), segs[0].start + 0.1, segs[0].duration - 0.2)).toBeGreaterThan(-30);
  });

  it('fails the outputs with SpeechFailed naming the server when it errors', async () => {
    const dir = tempDir();
    failing = true;
    try {
      const r = await cli(['produce', job(dir), '--out', join(dir, 'out')], {
        REELSMITH_HOME: tempDir('rs-tts-home-'),
        REELSMITH_TTS_ENGINE: 'openai',
        REELSMITH_TTS_URL: base,
      });
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toMatch(
        /SpeechFailed: speech server http:\/\/127\.0\.0\.1:\d+\/v1\/audio\/speech answered HTTP 500: model not loaded/,
      );
    } finally {
      failing = false;
    }
  });
});
