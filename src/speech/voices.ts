/**
 * The voice catalogue: every IMS voice name maps to a local espeak-ng voice of the right language,
 * gender and age, with its own pitch, range and variant so that two names never sound alike.
 */
export type VoiceGender = 'Female' | 'Male';
export type VoiceAge = 'adult' | 'child';
export type VoiceLanguage = 'zh' | 'en' | 'yue';

export interface VoiceEntry {
  name: string;
  gender: VoiceGender;
  age: VoiceAge;
  language: VoiceLanguage;
  /** Styles this voice suits, for `SpeechConfig.Style` when no Voice is named. */
  styles: ('Gentle' | 'Serious' | 'Entertainment')[];
}

const F = 'Female' as const;
const M = 'Male' as const;

// name, gender, age, language, styles
const TABLE: [string, VoiceGender, VoiceAge, VoiceLanguage, VoiceEntry['styles']][] = [
  ['zhiru', F, 'adult', 'zh', ['Gentle']],
  ['zhilun', M, 'adult', 'zh', ['Serious']],
  ['zhibei_emo', F, 'child', 'zh', ['Entertainment']],
  ['zhimiao_emo', F, 'adult', 'zh', ['Gentle', 'Entertainment']],
  ['zhitian_emo', F, 'adult', 'zh', ['Entertainment']],
  ['zhiyan_emo', F, 'adult', 'zh', ['Gentle']],
  ['zhimi_emo', F, 'adult', 'zh', ['Gentle']],
  ['zhifeng_emo', M, 'adult', 'zh', ['Serious']],
  ['zhibing_emo', M, 'adult', 'zh', ['Entertainment']],
  ['zhixiaobai', F, 'adult', 'zh', ['Gentle']],
  ['zhixiaoxia', F, 'adult', 'zh', ['Entertainment']],
  ['zhixiaomei', F, 'adult', 'zh', ['Gentle']],
  ['zhigui', F, 'adult', 'zh', ['Serious']],
  ['zhishuo', M, 'adult', 'zh', ['Serious']],
  ['zhinan', M, 'adult', 'zh', ['Serious']],
  ['zhiqi', F, 'adult', 'zh', ['Gentle']],
  ['zhichu', F, 'adult', 'zh', ['Entertainment']],
  ['zhide', M, 'adult', 'zh', ['Serious']],
  ['zhijia', F, 'adult', 'zh', ['Gentle']],
  ['zhiqian', F, 'adult', 'zh', ['Gentle']],
  ['zhixiang', M, 'adult', 'zh', ['Serious']],
  ['zhiwei', F, 'adult', 'zh', ['Gentle']],
  ['zhihao', M, 'adult', 'zh', ['Entertainment']],
  ['zhijing', F, 'adult', 'zh', ['Serious']],
  ['zhiming', M, 'adult', 'zh', ['Serious']],
  ['zhimo', M, 'adult', 'zh', ['Gentle']],
  ['zhina', F, 'adult', 'zh', ['Gentle']],
  ['zhishu', M, 'adult', 'zh', ['Serious']],
  ['zhistella', F, 'adult', 'zh', ['Serious']],
  ['zhiting', F, 'adult', 'zh', ['Gentle']],
  ['zhixiao', F, 'adult', 'zh', ['Entertainment']],
  ['zhiya', F, 'adult', 'zh', ['Gentle']],
  ['zhiye', M, 'adult', 'zh', ['Serious']],
  ['zhiying', F, 'adult', 'zh', ['Entertainment']],
  ['zhiyuan', F, 'adult', 'zh', ['Gentle']],
  ['zhiyue', F, 'adult', 'zh', ['Gentle']],
  ['zhimao', F, 'adult', 'zh', ['Entertainment']],
  ['zhifei', M, 'adult', 'zh', ['Entertainment']],
  ['zhida', M, 'adult', 'zh', ['Serious']],
  ['xiaoyun', F, 'adult', 'zh', ['Gentle']],
  ['xiaogang', M, 'adult', 'zh', ['Serious']],
  ['ruoxi', F, 'adult', 'zh', ['Gentle']],
  ['siqi', F, 'adult', 'zh', ['Gentle']],
  ['sijia', F, 'adult', 'zh', ['Gentle']],
  ['sicheng', M, 'adult', 'zh', ['Serious']],
  ['aiqi', F, 'adult', 'zh', ['Gentle']],
  ['aijia', F, 'adult', 'zh', ['Gentle']],
  ['aicheng', M, 'adult', 'zh', ['Serious']],
  ['aida', M, 'adult', 'zh', ['Entertainment']],
  ['ninger', F, 'adult', 'zh', ['Gentle']],
  ['ruilin', F, 'adult', 'zh', ['Serious']],
  ['siyue', F, 'adult', 'zh', ['Gentle']],
  ['aiya', F, 'adult', 'zh', ['Serious']],
  ['aimei', F, 'adult', 'zh', ['Gentle']],
  ['aiyu', F, 'adult', 'zh', ['Gentle']],
  ['aiyue', F, 'adult', 'zh', ['Gentle']],
  ['aijing', F, 'adult', 'zh', ['Serious']],
  ['xiaomei', F, 'adult', 'zh', ['Entertainment']],
  ['aina', F, 'adult', 'zh', ['Serious']],
  ['yina', F, 'adult', 'zh', ['Gentle']],
  ['sijing', F, 'adult', 'zh', ['Serious']],
  ['sitong', F, 'child', 'zh', ['Entertainment']],
  ['xiaobei', F, 'child', 'zh', ['Entertainment']],
  ['aitong', M, 'child', 'zh', ['Entertainment']],
  ['aiwei', F, 'adult', 'zh', ['Gentle']],
  ['aibao', F, 'child', 'zh', ['Entertainment']],
  ['abin', M, 'adult', 'zh', ['Entertainment']],
  ['aixia', F, 'adult', 'zh', ['Gentle']],
  ['shanshan', F, 'adult', 'yue', ['Gentle']],
  ['jiajia', F, 'adult', 'yue', ['Entertainment']],
  ['taozi', F, 'adult', 'yue', ['Gentle']],
  ['cally', F, 'adult', 'en', ['Gentle']],
  ['kelly', F, 'adult', 'en', ['Entertainment']],
  ['stella', F, 'adult', 'en', ['Serious']],
  ['stanley', M, 'adult', 'en', ['Serious']],
  ['kenny', M, 'adult', 'en', ['Entertainment']],
  ['rosa', F, 'adult', 'en', ['Gentle']],
  ['lydia', F, 'adult', 'en', ['Gentle']],
];

export const VOICES: readonly VoiceEntry[] = TABLE.map(([name, gender, age, language, styles]) => ({
  name,
  gender,
  age,
  language,
  styles,
}));

/** A language the voices speak: the catalogue's own, and British English (`SpeechLanguage`). */
export type SpeechLanguage = VoiceLanguage | 'en-gb';

/**
 * `SpeechConfig.SpeechLanguage` values and the language each means (case-insensitive; `_` may
 * stand for `-`). Only these reach a speech engine: a free string would become an espeak-ng
 * voice path.
 */
const SPEECH_LANGUAGE_ALIASES: Readonly<Record<string, SpeechLanguage>> = {
  zh: 'zh',
  cmn: 'zh',
  'zh-cn': 'zh',
  'zh-hans': 'zh',
  yue: 'yue',
  'zh-hk': 'yue',
  'zh-yue': 'yue',
  en: 'en',
  'en-us': 'en',
  'en-gb': 'en-gb',
};
export const SPEECH_LANGUAGE_NAMES = Object.keys(SPEECH_LANGUAGE_ALIASES);

export function speechLanguage(value: string): SpeechLanguage | undefined {
  const key = value.trim().toLowerCase().replace(/_/g, '-');
  return Object.hasOwn(SPEECH_LANGUAGE_ALIASES, key) ? SPEECH_LANGUAGE_ALIASES[key] : undefined;
}

export function findVoice(name: string): VoiceEntry | undefined {
  const lower = name.toLowerCase();
  return VOICES.find((v) => v.name === lower);
}

/** Default voice per Style when Voice is empty. */
/**
 * Prosody of each IMS speaking style, applied when `Style` chose the voice (on top of the voice and
 * SpeechRate): speed multiplier and pitch offset (espeak-ng pitch units, 0–99).
 */
export const STYLE_PROSODY: Record<'Gentle' | 'Serious' | 'Entertainment', { speed: number; pitch: number }> = {
  Gentle: { speed: 0.94, pitch: -4 },
  Serious: { speed: 0.9, pitch: -10 },
  Entertainment: { speed: 1.12, pitch: 12 },
};

export const STYLE_VOICES: Record<'Gentle' | 'Serious' | 'Entertainment', string[]> = {
  Gentle: VOICES.filter((v) => v.language === 'zh' && v.styles[0] === 'Gentle').map((v) => v.name),
  Serious: VOICES.filter((v) => v.language === 'zh' && v.styles[0] === 'Serious').map((v) => v.name),
  Entertainment: VOICES.filter((v) => v.language === 'zh' && v.styles[0] === 'Entertainment').map((v) => v.name),
};

export const DEFAULT_VOICE = 'zhixiaobai';
