/**
 * An engine for any OpenAI-compatible `POST /v1/audio/speech` server (many self-hosted TTS servers
 * speak it). The IMS voice name is sent as `voice` unless a voice map says otherwise; the returned
 * audio (any format FFmpeg reads) is converted to the 16-bit mono WAV the pipeline uses.
 */
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { ReelsmithError } from '../errors.js';
import type { SpeechEngine, SpeechRequest } from './engine.js';
import { STYLE_PROSODY } from './voices.js';
import { runTool } from '../util/tool.js';

export interface OpenAiSpeechConfig {
  /** Base URL, e.g. http://127.0.0.1:8880 (the engine posts to `${url}/v1/audio/speech`). */
  url: string;
  model: string;
  apiKey?: string;
  /** IMS voice name → the server's voice name. */
  voiceMap?: Record<string, string>;
  timeoutMs?: number;
}

export class OpenAiSpeechEngine implements SpeechEngine {
  readonly id: string;

  constructor(private readonly config: OpenAiSpeechConfig) {
    this.id = `openai:${config.url}:${config.model}`;
  }

  private voice(req: SpeechRequest): string {
    return this.config.voiceMap?.[req.voice.name] ?? req.voice.name;
  }

  /** The request's speed with its style's tempo (pitch is the server voice's own). */
  private speed(req: SpeechRequest): number {
    return req.speed * (req.style ? STYLE_PROSODY[req.style].speed : 1);
  }

  describe(req: SpeechRequest): string {
    return `${this.voice(req)}|${req.language}|${this.speed(req).toFixed(3)}`;
  }

  async synthesize(req: SpeechRequest, outPath: string): Promise<void> {
    const url = `${this.config.url.replace(/\/$/, '')}/v1/audio/speech`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.config.apiKey ? { authorization: `Bearer ${this.config.apiKey}` } : {}) },
        body: JSON.stringify({
          model: this.config.model,
          input: req.text,
          voice: this.voice(req),
          response_format: 'wav',
          speed: this.speed(req),
        }),
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 60_000),
      });
    } catch (err) {
      throw new ReelsmithError('SpeechFailed', `speech server ${url} unreachable: ${(err as Error).message}`);
    }
    if (!res.ok)
      throw new ReelsmithError('SpeechFailed', `speech server ${url} answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const raw = `${outPath}.${randomBytes(4).toString('hex')}.download`;
    try {
      await writeFile(raw, Buffer.from(await res.arrayBuffer()));
      await runTool('ffmpeg', ['-v', 'error', '-y', '-i', raw, '-ac', '1', '-ar', '22050', '-c:a', 'pcm_s16le', '-f', 'wav', outPath]);
    } catch (err) {
      if (err instanceof ReelsmithError) throw err;
      throw new ReelsmithError('SpeechFailed', `speech server ${url} returned audio that cannot be decoded`);
    } finally {
      await rm(raw, { force: true });
    }
  }
}

/**
 * The engine chosen by configuration: REELSMITH_TTS_ENGINE=openai with REELSMITH_TTS_URL,
 * REELSMITH_TTS_MODEL (default tts-1), REELSMITH_TTS_API_KEY and REELSMITH_TTS_VOICE_MAP (JSON);
 * espeak-ng otherwise.
 */
export function engineFromEnv(env: NodeJS.ProcessEnv): OpenAiSpeechEngine | undefined {
  if ((env.REELSMITH_TTS_ENGINE ?? 'espeak-ng') !== 'openai') return undefined;
  if (!env.REELSMITH_TTS_URL) throw new ReelsmithError('InvalidParameter', 'REELSMITH_TTS_ENGINE=openai needs REELSMITH_TTS_URL');
  let voiceMap: Record<string, string> | undefined;
  if (env.REELSMITH_TTS_VOICE_MAP) {
    try {
      voiceMap = JSON.parse(env.REELSMITH_TTS_VOICE_MAP);
    } catch {
      throw new ReelsmithError('InvalidParameter', 'REELSMITH_TTS_VOICE_MAP is not valid JSON');
    }
  }
  return new OpenAiSpeechEngine({
    url: env.REELSMITH_TTS_URL,
    model: env.REELSMITH_TTS_MODEL ?? 'tts-1',
    apiKey: env.REELSMITH_TTS_API_KEY,
    voiceMap,
  });
}
