/**
 * The console's job builder state and the IMS job it stands for. The job document (InputConfig,
 * EditingConfig, OutputConfig, UserData as objects) stays the source of truth: the form is a set of
 * lenses on it. `readForm` reads the fields the form shows; `writeForm` writes back only the fields
 * that changed, so every key the form does not show (and every spelling it does not use, as
 * `"true"` for true) survives: writeForm(job, readForm(job)) is the job itself, for every job.
 * No DOM here: tested on its own.
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

/** An IMS job with its configs as objects (the API takes them as JSON strings: `toSubmission`). */
export interface ImsJob {
  InputConfig: JsonObject;
  EditingConfig: JsonObject;
  OutputConfig: JsonObject;
  UserData?: JsonObject | string;
}

export interface Scene {
  name: string;
  media: string[];
  /** Per-scene voice-over texts (Script mode). */
  texts: string[];
}

/** In/out points of a material (EditingConfig.MediaConfig.MediaMetaDataArray), in seconds. */
export interface Cut {
  media: string;
  /** The scene it applies to (empty: every scene using the material). */
  group: string;
  ranges: { in: number; out: number }[];
}

/**
 * A sticker (InputConfig.StickerArray) as given: X, Y, Width, Height are fractions of the frame
 * (0–0.9999) or pixels (≥ 2), IMS's convention; the console places in fractions.
 */
export interface Sticker {
  media: string;
  x: number;
  y: number;
  width: number;
  height: number;
  opacity: number;
}

/** A sticker's box as fractions of a width x height frame. */
export function stickerBox(s: Sticker, width: number, height: number) {
  const f = (v: number, size: number) => (v >= 2 ? v / size : v);
  return { x: f(s.x, width), y: f(s.y, height), width: f(s.width, width), height: f(s.height, height) };
}

/** What the form shows. */
export interface Form {
  mode: 'Script' | 'Smart_Mix';
  scenes: Scene[];
  /** Smart_Mix: the materials matched to the texts. */
  media: string[];
  /** Global voice-over texts (one is drawn per output). */
  speechTexts: string[];
  titles: string[];
  /** Sub-headings by level (InputConfig.SubHeadingArray): one title of each level is drawn per video. */
  subHeadings: { level: number; titles: string[] }[];
  music: string[];
  voice: string;
  speechRate: number;
  /** SpeechConfig.Style (Gentle, Serious, Entertainment; empty: the voice's own). */
  speechStyle: string;
  captionIn: string;
  /** Caption look (SpeechConfig.AsrConfig): size in pixels, colour, alignment; 0 / empty: the defaults. */
  captionSize: number;
  captionColor: string;
  captionAlignment: string;
  /** Effects on shots (ProcessConfig.AllowVfxEffect, VfxEffectProbability, the effect lists). */
  effects: boolean;
  effectProbability: number;
  effectList: string[];
  transitions: boolean;
  cuts: Cut[];
  stickers: Sticker[];
  /** Transitions drawn from (ProcessConfig.TransitionList); empty: any. */
  transitionList: string[];
  /** Fill for mismatched aspect ratios: '' (the default), Blur, Color; images fill from `backgroundImages`. */
  background: '' | 'Blur' | 'Color';
  backgroundColor: string;
  backgroundImages: string[];
  /** Music by style from the music library (BackgroundMusicConfig.Style), when no track is chosen. */
  musicStyle: string;
  /** Music volume (BackgroundMusicConfig.Volume, 0–10; 1 as given). */
  musicVolume: number;
  count: number;
  width: number;
  height: number;
  mediaURL: string;
}

export const SIZE_PRESETS: { label: string; width: number; height: number }[] = [
  { label: '9:16 1080x1920', width: 1080, height: 1920 },
  { label: '9:16 720x1280', width: 720, height: 1280 },
  { label: '9:16 360x640 (draft)', width: 360, height: 640 },
  { label: '16:9 1920x1080', width: 1920, height: 1080 },
  { label: '1:1 1080x1080', width: 1080, height: 1080 },
];

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const num = (v: unknown, d: number): number => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : d;
};
const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const objects = (v: unknown): JsonObject[] => (Array.isArray(v) ? v.filter(isObject) : []);
/** A list of names given as a JSON list or as one comma-separated string (both are IMS's). */
const names = (v: unknown): string[] =>
  typeof v === 'string'
    ? v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : strings(v);
const bool = (v: unknown, d: boolean): boolean => (v === undefined ? d : v === true || v === 'true' || v === 'True');

/** A config given as a JSON string (as the API takes it) or an object → an object. */
export function asObject(v: unknown): JsonObject {
  if (isObject(v)) return v;
  if (typeof v === 'string' && v.trim() !== '') {
    const parsed = JSON.parse(v) as unknown;
    if (isObject(parsed)) return parsed;
  }
  return {};
}

export function jobFromJson(v: unknown): ImsJob {
  const o = asObject(v);
  const job: ImsJob = {
    InputConfig: asObject(o.InputConfig),
    EditingConfig: asObject(o.EditingConfig),
    OutputConfig: asObject(o.OutputConfig),
  };
  if (o.UserData !== undefined) {
    // UserData is a JSON string in IMS; an object when it is one (as the configs).
    let u: unknown = o.UserData;
    if (typeof u === 'string')
      try {
        const parsed = JSON.parse(u) as unknown;
        if (isObject(parsed)) u = parsed;
      } catch {
        /* a plain string stays one */
      }
    job.UserData = isObject(u) ? u : String(u);
  }
  return job;
}

export const emptyJob = (): ImsJob => ({
  InputConfig: { MediaGroupArray: [{ GroupName: 'scene 1', MediaArray: [] }], SpeechTextArray: [''] },
  EditingConfig: { SpeechConfig: { Voice: 'cally' }, ProcessConfig: { AllowTransition: true } },
  OutputConfig: { MediaURL: 'video_{index}.mp4', Count: 2, Width: 1080, Height: 1920 },
});

export function readForm(job: ImsJob): Form {
  const i = job.InputConfig;
  const e = job.EditingConfig;
  const o = job.OutputConfig;
  const speech = asObject(e.SpeechConfig);
  const asr = asObject(speech.AsrConfig);
  const pc = asObject(e.ProcessConfig);
  const bgi = asObject(e.BackgroundImageConfig);
  const bgm = asObject(e.BackgroundMusicConfig);
  const groups = Array.isArray(i.MediaGroupArray) ? objects(i.MediaGroupArray) : undefined;
  const background = text(bgi.SubType).toLowerCase();
  return {
    mode: groups ? 'Script' : 'Smart_Mix',
    scenes: (groups ?? []).map((g) => ({ name: text(g.GroupName), media: strings(g.MediaArray), texts: strings(g.SpeechTextArray) })),
    media: strings(i.MediaArray),
    speechTexts: strings(i.SpeechTextArray),
    titles: strings(i.TitleArray),
    subHeadings: objects(i.SubHeadingArray).map((x) => ({ level: num(x.Level, 1), titles: strings(x.TitleArray) })),
    music: strings(i.BackgroundMusicArray),
    voice: text(speech.Voice),
    speechRate: num(speech.SpeechRate, 0),
    captionIn: text(asr.AaiMotionInEffect),
    speechStyle: text(speech.Style),
    captionSize: num(asr.FontSize, 0),
    captionColor: text(asr.FontColor),
    captionAlignment: text(asr.Alignment),
    effects: bool(pc.AllowVfxEffect, false),
    effectProbability: num(pc.VfxEffectProbability, 50),
    effectList: names(pc.VfxNotFirstClipEffectList ?? pc.VfxFirstClipEffectList),
    transitions: bool(pc.AllowTransition, true),
    stickers: objects(i.StickerArray).map((x) => ({
      media: text(x.MediaId) || text(x.MediaURL),
      x: num(x.X, 0),
      y: num(x.Y, 0),
      width: num(x.Width, 0.2),
      height: num(x.Height, 0.1),
      opacity: num(x.Opacity, 1),
    })),
    cuts: objects(asObject(e.MediaConfig).MediaMetaDataArray).map((m) => ({
      media: text(m.Media),
      group: text(m.GroupName),
      ranges: objects(m.TimeRangeList).map((r) => ({ in: num(r.In, 0), out: num(r.Out, 0) })),
    })),
    transitionList: names(pc.TransitionList),
    background: background === 'blur' ? 'Blur' : background === 'color' ? 'Color' : '',
    backgroundColor: text(bgi.Color),
    backgroundImages: strings(i.BackgroundImageArray),
    musicStyle: text(bgm.Style),
    musicVolume: num(bgm.Volume, 1),
    count: num(o.Count, 1),
    width: num(o.Width, 1080),
    height: num(o.Height, 1920),
    mediaURL: text(o.MediaURL),
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Sets obj[path] (making the objects on the way), or removes it when `value` is undefined. */
function setPath(obj: JsonObject, path: string[], value: Json | undefined): JsonObject {
  const [head, ...rest] = path;
  const out: JsonObject = { ...obj };
  if (rest.length === 0) {
    if (value === undefined) delete out[head];
    else out[head] = value;
    return out;
  }
  out[head] = setPath(asObject(obj[head]), rest, value);
  return out;
}

/**
 * A list of objects written back from the form's entries: an entry not changed stays exactly as
 * it was written (pixels, keys the form does not show…), a changed one is `build` over the old
 * entry's keys; an empty list goes.
 */
function entries<T>(old: Json | undefined, was: T[], now: T[], build: (x: T, old: JsonObject) => JsonObject): JsonObject[] | undefined {
  const before = objects(old);
  if (now.length === 0) return undefined;
  return now.map((x, k) => (before[k] && same(was[k], x) ? before[k] : build(x, before[k] ?? {})));
}

/** The job with the form's changed fields written into it (everything else as it was). */
export function writeForm(job: ImsJob, form: Form): ImsJob {
  const was = readForm(job);
  let { InputConfig: i, EditingConfig: e, OutputConfig: o } = job;
  const list = (v: string[]) => (v.length > 0 ? v : undefined);
  if (!same(was.mode, form.mode) || !same(was.scenes, form.scenes)) {
    if (form.mode === 'Script') {
      const old = objects(i.MediaGroupArray);
      i = setPath(
        i,
        ['MediaGroupArray'],
        form.scenes.map((s, k) => {
          // A scene keeps the keys the form does not show (Duration, Volume, SplitMode…).
          let g: JsonObject = { ...(old[k] ?? {}), GroupName: s.name, MediaArray: s.media };
          g = s.texts.length > 0 ? { ...g, SpeechTextArray: s.texts } : setPath(g, ['SpeechTextArray'], undefined);
          return g;
        }),
      );
    } else i = setPath(i, ['MediaGroupArray'], undefined);
  }
  if (!same(was.media, form.media) || was.mode !== form.mode)
    i = setPath(i, ['MediaArray'], form.mode === 'Smart_Mix' ? (list(form.media) ?? []) : list(form.media));
  if (!same(was.speechTexts, form.speechTexts)) i = setPath(i, ['SpeechTextArray'], list(form.speechTexts));
  if (!same(was.titles, form.titles)) i = setPath(i, ['TitleArray'], list(form.titles));
  if (!same(was.subHeadings, form.subHeadings))
    i = setPath(
      i,
      ['SubHeadingArray'],
      entries(i.SubHeadingArray, was.subHeadings, form.subHeadings, (h, old) => ({ ...old, Level: h.level, TitleArray: h.titles })),
    );
  if (!same(was.music, form.music)) i = setPath(i, ['BackgroundMusicArray'], list(form.music));
  if (was.voice !== form.voice) e = setPath(e, ['SpeechConfig', 'Voice'], form.voice || undefined);
  if (was.speechRate !== form.speechRate) e = setPath(e, ['SpeechConfig', 'SpeechRate'], form.speechRate);
  if (was.speechStyle !== form.speechStyle) e = setPath(e, ['SpeechConfig', 'Style'], form.speechStyle || undefined);
  if (was.captionSize !== form.captionSize) e = setPath(e, ['SpeechConfig', 'AsrConfig', 'FontSize'], form.captionSize || undefined);
  if (was.captionColor !== form.captionColor) e = setPath(e, ['SpeechConfig', 'AsrConfig', 'FontColor'], form.captionColor || undefined);
  if (was.captionAlignment !== form.captionAlignment)
    e = setPath(e, ['SpeechConfig', 'AsrConfig', 'Alignment'], form.captionAlignment || undefined);
  if (was.effects !== form.effects) e = setPath(e, ['ProcessConfig', 'AllowVfxEffect'], form.effects);
  if (was.effectProbability !== form.effectProbability) e = setPath(e, ['ProcessConfig', 'VfxEffectProbability'], form.effectProbability);
  if (!same(was.effectList, form.effectList)) {
    e = setPath(e, ['ProcessConfig', 'VfxFirstClipEffectList'], list(form.effectList));
    e = setPath(e, ['ProcessConfig', 'VfxNotFirstClipEffectList'], list(form.effectList));
  }
  if (was.captionIn !== form.captionIn) e = setPath(e, ['SpeechConfig', 'AsrConfig', 'AaiMotionInEffect'], form.captionIn || undefined);
  if (was.transitions !== form.transitions) e = setPath(e, ['ProcessConfig', 'AllowTransition'], form.transitions);
  if (!same(was.stickers, form.stickers))
    i = setPath(
      i,
      ['StickerArray'],
      entries(i.StickerArray, was.stickers, form.stickers, (x, old) => {
        const { MediaId: _id, MediaURL: _url, ...rest } = old;
        const ref: JsonObject = /^[0-9a-f]{32}$/.test(x.media) ? { MediaId: x.media } : { MediaURL: x.media };
        return { ...rest, ...ref, X: x.x, Y: x.y, Width: x.width, Height: x.height, Opacity: x.opacity };
      }),
    );
  if (!same(was.cuts, form.cuts))
    e = setPath(
      e,
      ['MediaConfig', 'MediaMetaDataArray'],
      entries(asObject(e.MediaConfig).MediaMetaDataArray, was.cuts, form.cuts, (c, old) => {
        // GroupName only when it names a scene.
        const base: JsonObject = { ...old, Media: c.media, TimeRangeList: c.ranges.map((r) => ({ In: r.in, Out: r.out })) };
        return c.group ? { ...base, GroupName: c.group } : setPath(base, ['GroupName'], undefined);
      }),
    );
  if (!same(was.transitionList, form.transitionList)) e = setPath(e, ['ProcessConfig', 'TransitionList'], list(form.transitionList));
  if (was.background !== form.background) e = setPath(e, ['BackgroundImageConfig', 'SubType'], form.background || undefined);
  if (was.backgroundColor !== form.backgroundColor) e = setPath(e, ['BackgroundImageConfig', 'Color'], form.backgroundColor || undefined);
  if (!same(was.backgroundImages, form.backgroundImages)) i = setPath(i, ['BackgroundImageArray'], list(form.backgroundImages));
  if (was.musicStyle !== form.musicStyle) e = setPath(e, ['BackgroundMusicConfig', 'Style'], form.musicStyle || undefined);
  if (was.musicVolume !== form.musicVolume) e = setPath(e, ['BackgroundMusicConfig', 'Volume'], form.musicVolume);
  if (was.count !== form.count) o = setPath(o, ['Count'], form.count);
  if (was.width !== form.width) o = setPath(o, ['Width'], form.width);
  if (was.height !== form.height) o = setPath(o, ['Height'], form.height);
  if (was.mediaURL !== form.mediaURL) o = setPath(o, ['MediaURL'], form.mediaURL || undefined);
  return { ...job, InputConfig: i, EditingConfig: e, OutputConfig: o };
}

/** The API's parameters: each config as a JSON string, as IMS takes them. */
export function toSubmission(job: ImsJob): Record<string, string> {
  const p: Record<string, string> = {
    InputConfig: JSON.stringify(job.InputConfig),
    EditingConfig: JSON.stringify(job.EditingConfig),
    OutputConfig: JSON.stringify(job.OutputConfig),
  };
  if (job.UserData !== undefined) p.UserData = typeof job.UserData === 'string' ? job.UserData : JSON.stringify(job.UserData);
  return p;
}

/**
 * Which form field shows the error of a job field path (as the API names them:
 * `InputConfig.MediaGroupArray[1].MediaArray[0]`, `OutputConfig.Width`): the field's id, or
 * undefined (shown with the JSON view).
 */
export function fieldOf(path: string): string | undefined {
  const scene = /^InputConfig\.MediaGroupArray\[(\d+)\]/.exec(path);
  if (scene) return /SpeechTextArray/.test(path) ? `scene-${scene[1]}-texts` : `scene-${scene[1]}-media`;
  const table: [RegExp, string][] = [
    [/^InputConfig\.MediaArray/, 'media'],
    [/^InputConfig\.SpeechTextArray/, 'speech-texts'],
    [/^InputConfig\.TitleArray/, 'titles'],
    [/^InputConfig\.SubHeadingArray/, 'sub-headings'],
    [/^InputConfig\.BackgroundMusicArray/, 'music'],
    [/^InputConfig\.BackgroundImageArray/, 'background-images'],
    [/^InputConfig\.StickerArray/, 'stickers'],
    [/^EditingConfig\.BackgroundImageConfig/, 'background'],
    [/^EditingConfig\.BackgroundMusicConfig/, 'music-style'],
    [/^EditingConfig\.ProcessConfig\.TransitionList/, 'transition-list'],
    [/^EditingConfig\.MediaConfig\.MediaMetaDataArray/, 'cuts'],
    [/^EditingConfig\.SpeechConfig\.Voice/, 'voice'],
    [/^EditingConfig\.SpeechConfig\.SpeechRate/, 'speech-rate'],
    [/^EditingConfig\.SpeechConfig\.AsrConfig\.AaiMotionInEffect/, 'caption-in'],
    [/^EditingConfig\.SpeechConfig\.AsrConfig/, 'caption-style'],
    [/^EditingConfig\.SpeechConfig\.Style/, 'speech-style'],
    [/^EditingConfig\.ProcessConfig\.(AllowVfxEffect|VfxEffectProbability|Vfx)/, 'effects'],
    [/^OutputConfig\.Count/, 'count'],
    [/^OutputConfig\.Width/, 'width'],
    [/^OutputConfig\.Height/, 'height'],
    [/^OutputConfig\.MediaURL/, 'media-url'],
  ];
  return table.find(([re]) => re.test(path))?.[1];
}
