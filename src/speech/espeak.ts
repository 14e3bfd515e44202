/** The espeak-ng engine: local, no network, many languages (Mandarin `cmn`, Cantonese `yue`, English…). */
import { ReelsmithError } from '../errors.js';
import { runTool } from '../util/tool.js';
import type { SpeechEngine, SpeechRequest } from './engine.js';
import { type SpeechLanguage, STYLE_PROSODY, speechLanguage, VOICES, type VoiceEntry } from './voices.js';

/** espeak-ng's voice of each language reelsmith speaks; nothing else is ever passed to `-v`. */
const LANG: Readonly<Record<SpeechLanguage, string>> = { zh: 'cmn', yue: 'yue', en: 'en-us', 'en-gb': 'en' };
const FEMALE = ['f1', 'f2', 'f3', 'f4', 'f5'];
const MALE = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'];

/** Distinct (variant, pitch) per voice name: variants cycle within a gender, pitch steps per cycle. */
const SETTINGS = (() => {
  const map = new Map<string, { variant: string; pitch: number }>();
  const counters = { Female: 0, Male: 0, child: 0 };
  for (const v of VOICES) {
    if (v.age === 'child') {
      const i = counters.child++;
      map.set(v.name, { variant: v.gender === 'Male' ? 'm3' : FEMALE[i % FEMALE.length], pitch: 82 + i * 3 });
    } else {
      const list = v.gender === 'Female' ? FEMALE : MALE;
      const i = counters[v.gender]++;
      const base = v.gender === 'Female' ? 46 : 24;
      map.set(v.name, { variant: list[i % list.length], pitch: base + Math.floor(i / list.length) * 3 });
    }
  }
  return map;
})();

export function espeakSettings(voice: VoiceEntry, language: string, speed: number, style?: SpeechRequest['style']) {
  const s = SETTINGS.get(voice.name) ?? { variant: 'f3', pitch: 50 };
  const known = speechLanguage(language);
  if (!known)
    throw new ReelsmithError(
      'InvalidParameter',
      `unknown speech language ${JSON.stringify(language.slice(0, 40))}`,
      'EditingConfig.SpeechConfig.SpeechLanguage',
    );
  const lang = LANG[known];
  const p = style ? STYLE_PROSODY[style] : { speed: 1, pitch: 0 };
  const wpm = Math.round(Math.max(80, Math.min(450, 165 * speed * p.speed)));
  return { voice: `${lang}+${s.variant}`, pitch: Math.max(0, Math.min(99, s.pitch + p.pitch)), wpm };
}

export class EspeakEngine implements SpeechEngine {
  readonly id = 'espeak-ng';

  describe(req: SpeechRequest): string {
    const s = espeakSettings(req.voice, req.language, req.speed, req.style);
    return `${s.voice}|p${s.pitch}|s${s.wpm}`;
  }

  async synthesize(req: SpeechRequest, outPath: string): Promise<void> {
    const s = espeakSettings(req.voice, req.language, req.speed, req.style);
    try {
      await runTool('espeak-ng', ['-v', s.voice, '-p', String(s.pitch), '-s', String(s.wpm), '-w', outPath, '--stdin'], {
        input: req.text,
        timeoutMs: 60_000,
      });
    } catch (err) {
      const e = err as { stderr?: string; code?: string };
      if (e.code === 'ENOENT' || (e as { exitCode?: number }).exitCode === 127)
        throw new ReelsmithError('SpeechFailed', 'espeak-ng is not installed (apt-get install espeak-ng)');
      throw new ReelsmithError('SpeechFailed', `speech synthesis failed for voice ${req.voice.name}`, undefined, {
        detail: (e.stderr ?? String(err)).trim().slice(0, 2000),
      });
    }
  }
}
