/**
 * Sentence-level synthesis with a content-addressed cache: a sentence already synthesized for the
 * same engine, voice settings and text is reused (across outputs, jobs and restarts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReelsmithError } from '../errors.js';
import { detectLanguage, type SpeechEngine, type SpeechRequest, speechRateToSpeed } from './engine.js';
import { findVoice, type SpeechLanguage } from './voices.js';
import { decodeWav, encodeWav, trimSilence } from './wav.js';

export interface SpeechClip {
  clipId: string;
  path: string;
  duration: number;
  sampleRate: number;
}

export class SpeechSynthesizer {
  private readonly pending = new Map<string, Promise<SpeechClip>>();
  /** How many sentences were actually synthesized (not served from cache) — for tests and logs. */
  synthesized = 0;

  constructor(
    private readonly engine: SpeechEngine,
    private readonly cacheDir: string,
  ) {}

  clip(voiceName: string, rate: number, text: string, language?: SpeechLanguage, style?: SpeechRequest['style']): Promise<SpeechClip> {
    const voice = findVoice(voiceName);
    if (!voice)
      return Promise.reject(new ReelsmithError('InvalidParameter', `unknown voice "${voiceName}"`, 'EditingConfig.SpeechConfig.Voice'));
    // The text decides the language unless the job names one; a Cantonese voice reads Chinese as Cantonese.
    const detected = detectLanguage(text);
    const lang = language ?? (detected === 'zh' && voice.language === 'yue' ? 'yue' : detected);
    const req: SpeechRequest = { text, voice, language: lang, speed: speechRateToSpeed(rate), style };
    const clipId = createHash('sha256')
      .update(`${this.engine.id}\n${this.engine.describe(req)}\n${req.language}\n${text}`)
      .digest('hex')
      .slice(0, 32);
    let p = this.pending.get(clipId);
    if (!p) {
      p = this.make(clipId, req);
      this.pending.set(clipId, p);
      p.catch(() => this.pending.delete(clipId));
    }
    return p;
  }

  private async make(clipId: string, req: Parameters<SpeechEngine['synthesize']>[0]): Promise<SpeechClip> {
    const dir = join(this.cacheDir, 'speech');
    const path = join(dir, `${clipId}.wav`);
    if (!existsSync(path)) {
      await mkdir(dir, { recursive: true });
      const raw = join(dir, `.tmp-${randomBytes(6).toString('hex')}.wav`);
      try {
        await this.engine.synthesize(req, raw);
        this.synthesized++;
        const trimmed = trimSilence(decodeWav(await readFile(raw)));
        await writeFile(raw, encodeWav(trimmed));
        await rename(raw, path);
      } finally {
        await rm(raw, { force: true });
      }
    }
    const pcm = decodeWav(await readFile(path));
    return { clipId, path, duration: pcm.samples.length / pcm.sampleRate, sampleRate: pcm.sampleRate };
  }
}
