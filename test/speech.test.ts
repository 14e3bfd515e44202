import { describe, expect, it } from 'vitest';
import { speechRateToSpeed } from '../src/speech/engine.js';
import { EspeakEngine } from '../src/speech/espeak.js';
import { SpeechSynthesizer } from '../src/speech/synth.js';
import { VOICES } from '../src/speech/voices.js';
import { espeakSettings } from '../src/speech/espeak.js';
import { readWav } from '../src/speech/wav.js';
import { tempDir } from './helpers.js';

describe('speech', () => {
  it('maps the IMS SpeechRate scale exactly (-500 = 0.5×, 0 = 1×, 500 = 2×; 0.8× = -125, 1.2× = 166)', () => {
    expect(speechRateToSpeed(-500)).toBeCloseTo(0.5, 6);
    expect(speechRateToSpeed(0)).toBe(1);
    expect(speechRateToSpeed(500)).toBeCloseTo(2, 6);
    expect(speechRateToSpeed(-125)).toBeCloseTo(0.8, 3);
    expect(speechRateToSpeed(166)).toBeCloseTo(1.2, 2);
  });

  it('speaks faster at a higher SpeechRate', async () => {
    const s = new SpeechSynthesizer(new EspeakEngine(), tempDir());
    const text = 'Snacks and drinks are quite cheap, and the queues are very long.';
    const slow = await s.clip('zhiru', -300, text);
    const fast = await s.clip('zhiru', 300, text);
    expect(slow.duration / fast.duration).toBeGreaterThan(2);
  });

  it('speaks each IMS Style with its own prosody: Entertainment faster and higher than Serious', async () => {
    const s = new SpeechSynthesizer(new EspeakEngine(), tempDir());
    const text = 'Everyone should come and have a look this weekend, and bring your friends.';
    const serious = await s.clip('zhiru', 0, text, undefined, 'Serious');
    const fun = await s.clip('zhiru', 0, text, undefined, 'Entertainment');
    const plain = await s.clip('zhiru', 0, text);
    expect(serious.duration / fun.duration).toBeGreaterThan(1.15);
    expect(plain.duration).toBeLessThan(serious.duration);
    expect(plain.duration).toBeGreaterThan(fun.duration);
    const f0 = async (path: string) => {
      // Median pitch of voiced 40 ms frames, by autocorrelation (60–500 Hz).
      const { samples, sampleRate: sr } = await readWav(path);
      const n = Math.round(sr * 0.04);
      const pitches: number[] = [];
      for (let at = 0; at + n * 2 < samples.length; at += n) {
        let energy = 0;
        for (let i = 0; i < n; i++) energy += samples[at + i] ** 2;
        if (energy / n < 1e6) continue;
        let best = 0;
        let bestLag = 0;
        for (let lag = Math.round(sr / 500); lag <= Math.round(sr / 60); lag++) {
          let c = 0;
          for (let i = 0; i < n; i++) c += samples[at + i] * samples[at + i + lag];
          if (c > best) [best, bestLag] = [c, lag];
        }
        if (bestLag > 0) pitches.push(sr / bestLag);
      }
      pitches.sort((a, b) => a - b);
      return pitches[Math.floor(pitches.length / 2)];
    };
    const [low, high] = [await f0(serious.path), await f0(fun.path)];
    expect(high / low).toBeGreaterThan(1.1);
  });

  it('gives every voice name its own sound settings', () => {
    const seen = new Set(VOICES.map((v) => JSON.stringify(espeakSettings(v, 'zh', 1))));
    expect(seen.size).toBe(VOICES.length);
  });

  it('synthesizes Mandarin with real speech and trims silence at both ends', async () => {
    const s = new SpeechSynthesizer(new EspeakEngine(), tempDir());
    const clip = await s.clip('zhilun', 0, '附近的商场新开了一家盒马鲜生');
    const pcm = await readWav(clip.path);
    expect(clip.duration).toBeGreaterThan(1);
    const head = pcm.samples.subarray(0, Math.round(pcm.sampleRate * 0.2));
    expect(Math.max(...head.map(Math.abs))).toBeGreaterThan(400);
  });

  it('reuses a sentence already synthesized for the same voice, rate and text', async () => {
    const dir = tempDir();
    const s = new SpeechSynthesizer(new EspeakEngine(), dir);
    const a = await Promise.all([s.clip('aiqi', 0, 'Same words.'), s.clip('aiqi', 0, 'Same words.')]);
    const b = await s.clip('aiqi', 0, 'Same words.');
    expect(s.synthesized).toBe(1);
    expect(new Set([a[0].clipId, a[1].clipId, b.clipId]).size).toBe(1);
    const again = new SpeechSynthesizer(new EspeakEngine(), dir);
    await again.clip('aiqi', 0, 'Same words.');
    expect(again.synthesized).toBe(0);
    const other = await s.clip('aijia', 0, 'Same words.');
    expect(other.clipId).not.toBe(b.clipId);
  });
});
