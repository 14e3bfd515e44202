/** Text-to-speech engines sit behind this interface; espeak-ng is the default. */
import type { SpeechLanguage, VoiceEntry } from './voices.js';

export interface SpeechRequest {
  text: string;
  voice: VoiceEntry;
  /** Language to speak (overrides the voice's own): one of the catalogue's, never a free string. */
  language: SpeechLanguage;
  /** Speed multiplier (IMS SpeechRate mapped to 0.5×–2×). */
  speed: number;
  /** Speaking style (IMS `Style`): its prosody (STYLE_PROSODY) applies on top of the voice. */
  style?: 'Gentle' | 'Serious' | 'Entertainment';
}

export interface SpeechEngine {
  readonly id: string;
  /** Settings that change the sound for a request (goes into the cache key). */
  describe(req: SpeechRequest): string;
  /** Writes 16-bit mono WAV to `outPath`. */
  synthesize(req: SpeechRequest, outPath: string): Promise<void>;
}

/** IMS SpeechRate (-500..500) → speed multiplier: -500 = 0.5×, 0 = 1×, 500 = 2×. */
export function speechRateToSpeed(rate: number): number {
  const r = Math.max(-500, Math.min(500, rate));
  return r < 0 ? 1 / (1 - 0.002 * r) : 1 / (1 - 0.001 * r);
}

/** Language of a text when the job does not say: Chinese if it has Han characters, else English. */
export function detectLanguage(text: string): 'zh' | 'en' {
  return /[\u3400-\u9FFF]/u.test(text) ? 'zh' : 'en';
}
