/**
 * parseJob: raw IMS parameters (objects or JSON strings) → a resolved `Job`, or a
 * JobValidationError listing every problem with its JSON path.
 */
import type { z } from 'zod';
import { JobValidationError } from '../errors.js';
import { commaList } from '../util/rng.js';
import { hasMarkup, MarkupError, parseSpeechText } from '../speech/ssml.js';
import { findVoice, SPEECH_LANGUAGE_NAMES, speechLanguage, VOICES } from '../speech/voices.js';
import {
  ALIGNMENTS,
  CAPTION_IN_EFFECTS,
  CAPTION_LOOP_EFFECTS,
  CAPTION_OUT_EFFECTS,
  matchName,
  MUSIC_STYLES,
  SPEECH_STYLES,
  TRANSITIONS,
  VFX_ALL,
  type Alignment,
} from './catalogue.js';
import { ALL_LOOKS } from '../effects/looks.js';
import type { CaptionStyle, Job, ParsedJob, TextStyle } from './job.js';
import { rawIssues, shown } from './raw.js';
import { namedRefs } from './refs.js';
import {
  EditingConfigSchema,
  InputConfigSchema,
  OutputConfigSchema,
  type RawEditingConfig,
  type RawInputConfig,
  type RawOutputConfig,
  keysAt,
  unknownKeys,
} from './schema.js';
import { JobTextError, readJobText } from './text.js';
import { closest } from '../util/similar.js';

export interface RawJobParams {
  InputConfig?: unknown;
  EditingConfig?: unknown;
  OutputConfig?: unknown;
  UserData?: unknown;
  [key: string]: unknown;
}

/**
 * A job's own parameters parsed, and nothing else the record or request carrying them has (a
 * stored job's JobId and times, a submission's ClientToken…, which parseJob would call unknown).
 */
export function parseJobParams(
  p: { InputConfig: string; EditingConfig: string; OutputConfig: string; UserData?: string },
  options: ParseOptions = {},
): ParsedJob {
  return parseJob(
    {
      InputConfig: p.InputConfig,
      EditingConfig: p.EditingConfig,
      OutputConfig: p.OutputConfig,
      ...(p.UserData ? { UserData: p.UserData } : {}),
    },
    options,
  );
}

export interface ParseOptions {
  baseDir?: string;
  /** Longest output a job may ask for, seconds (MaxDuration, FixedDuration, planned voice-over); default 600. */
  maxOutputDuration?: number;
}

/** x264 presets (OutputConfig.Video.Preset reaches FFmpeg's -preset: only these). */
export const X264_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'] as const;

/** The longest output by default: IMS makes short videos; SSML pauses alone could plan hours. */
export const DEFAULT_MAX_OUTPUT_DURATION = 600;

type Issue = { path: string; reason: string };

/** Formats a zod path the way users read JSON: `A.B[0].C`. */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return out;
}

/** The top-level keys of a job (parameters of SubmitBatchMediaProducingJob, and a file's `$schema`). */
export const JOB_KEYS = ['InputConfig', 'EditingConfig', 'OutputConfig', 'UserData', 'ClientToken', 'TemplateConfig', '$schema'];
const CONFIGS: Record<string, z.ZodType> = {
  InputConfig: InputConfigSchema,
  EditingConfig: EditingConfigSchema,
  OutputConfig: OutputConfigSchema,
};

/** The keys an object at `path` of a job may have (for "did you mean"); undefined where it has none. */
export function jobKeysAt(path: (string | number)[]): string[] | undefined {
  if (path.length === 0) return JOB_KEYS;
  const schema = CONFIGS[String(path[0])];
  return schema ? keysAt(schema, path.slice(1)) : undefined;
}

/** The key probably meant, among valid ones (`Tittle` → `Title`). */
export const suggestKey = (word: string, names: string[]) => closest(word, names);

/** Reads a job text (JSONC): a job file, or one config given as a string. Warnings say their line. */
export function readJob(
  text: string,
  name?: string,
): { value: unknown; warnings: string[]; lineOf: (path: (string | number)[]) => number | undefined } {
  const prefix = name ? [name] : [];
  const r = readJobText(text, { keysAt: (path) => jobKeysAt([...prefix, ...path]), suggest: suggestKey });
  return { value: r.value, warnings: r.warnings.map((w) => (name ? `${name}: ${w}` : w)), lineOf: r.lineOf };
}

/** The issue of a syntax error: where, why, and the line shown. */
export const textIssue = (path: string, e: JobTextError): Issue => ({ path, reason: `${e.message}\n${e.excerpt}` });

function decodeParam(name: string, value: unknown, issues: Issue[], warnings: string[] = []): unknown {
  if (value === undefined || value === null || value === '') return {};
  let decoded: unknown = value;
  if (typeof value === 'string') {
    try {
      const r = readJob(value, name);
      decoded = r.value;
      warnings.push(...r.warnings);
    } catch (err) {
      if (!(err instanceof JobTextError)) throw err;
      issues.push(textIssue(name, err));
      return undefined;
    }
  }
  // Too deep, too big or with keys that name object internals: refused before anything walks it.
  const unsafe = rawIssues(decoded, name);
  if (unsafe.length > 0) {
    issues.push(...unsafe);
    return undefined;
  }
  return decoded;
}

function check<S extends z.ZodType>(schema: S, root: string, value: unknown, issues: Issue[], warnings: string[]) {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    issues.push({ path: root, reason: 'must be a JSON object' });
    return undefined;
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    for (const i of result.error.issues) issues.push({ path: formatPath(root, i.path), reason: i.message });
    return undefined;
  }
  for (const k of unknownKeys(schema, value, root)) {
    const meant = suggestKey(k.key, k.valid);
    warnings.push(`${k.path}: unknown key ignored${meant ? ` — did you mean ${meant}?` : ''}`);
  }
  return result.data as z.infer<S>;
}

const HEX_COLOR = /^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$/;

export function normalizeColor(c: string): string | undefined {
  const m = HEX_COLOR.exec(c.trim());
  if (!m) return undefined;
  let hex = m[1];
  if (hex.length === 3)
    hex = hex
      .split('')
      .map((ch) => ch + ch)
      .join('');
  return `#${hex.toLowerCase()}`;
}

function names(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.flatMap((v) => commaList(v)) : commaList(value);
}

/** Checks a list of names against a catalogue (case-insensitive) and returns catalogue spellings. */
function checkNames(list: string[], catalogue: readonly string[], path: string, issues: Issue[], extra: string[] = []) {
  const all = [...catalogue, ...extra];
  const out: string[] = [];
  const bad: string[] = [];
  for (const name of list) {
    const found = matchName(all, name);
    if (found) out.push(found);
    else bad.push(name);
  }
  // One issue per field however many names are wrong, with a few of them and the valid list once.
  if (bad.length > 0) issues.push({ path, reason: `${unknownNames(bad)}; valid names: ${all.join(', ')}` });
  return out;
}

/** `unknown name "x"`, or `3 unknown names: "x", "y", "z"` (at most five shown). */
function unknownNames(bad: string[]): string {
  if (bad.length === 1) return `unknown name ${shown(bad[0])}`;
  const some = bad
    .slice(0, 5)
    .map((b) => shown(b, 30))
    .join(', ');
  return `${bad.length} unknown names: ${some}${bad.length > 5 ? ', …' : ''}`;
}

/** Why a material reference cannot name a file, or undefined when it can. */
function refProblem(ref: string): string | undefined {
  if (ref.trim() === '') return 'is empty';
  if (/[\u0000-\u001f\u007f]/.test(ref)) return 'contains control characters';
  if (ref.length > 4096) return 'is longer than 4096 characters';
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(ref)?.[1]?.toLowerCase();
  if (scheme && scheme.length > 1 && !['http', 'https', 'file', 's3'].includes(scheme))
    return `is a ${scheme}: address; materials are http(s) URLs, s3://bucket/key objects, local paths (or file:// URLs) and media IDs`;
  if (scheme === 's3' && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[^\s]+$/.test(ref)) return 'is not an s3://bucket/key address';
  if ((scheme === 'http' || scheme === 'https') && !URL.canParse(ref)) return 'is not a valid URL';
  return undefined;
}

/** Most issues one answer lists; the rest are counted. */
const MAX_ISSUES = 50;

function capIssues(issues: Issue[]): Issue[] {
  if (issues.length <= MAX_ISSUES) return issues;
  return [...issues.slice(0, MAX_ISSUES), { path: '', reason: `and ${issues.length - MAX_ISSUES} more problems` }];
}

/** Letters or digits: something a voice can say (not only punctuation, symbols, emoji or invisible characters). */
const SPEAKABLE = /[\p{L}\p{N}]/u;

function textStyle(
  raw: z.infer<typeof EditingConfigSchema.shape.TitleConfig> | undefined,
  path: string,
  issues: Issue[],
  defaults: TextStyle,
): TextStyle {
  const style: TextStyle = { ...defaults };
  if (!raw) return style;
  if (raw.Font) style.font = raw.Font;
  if (raw.FontUrl) style.fontUrl = raw.FontUrl;
  if (raw.FontSize !== undefined) style.fontSize = raw.FontSize;
  if (raw.FontColor !== undefined) {
    const c = normalizeColor(raw.FontColor);
    if (c) style.fontColor = c;
    else issues.push({ path: `${path}.FontColor`, reason: `${shown(raw.FontColor)} is not a #rrggbb colour` });
  }
  if (raw.OutlineColour !== undefined) {
    const c = normalizeColor(raw.OutlineColour);
    if (c) style.outlineColour = c;
    else issues.push({ path: `${path}.OutlineColour`, reason: `${shown(raw.OutlineColour)} is not a #rrggbb colour` });
  }
  if (raw.Outline !== undefined) style.outline = raw.Outline;
  if (raw.Alignment !== undefined) {
    const a = matchName(ALIGNMENTS, raw.Alignment === 'Center' ? 'CenterCenter' : raw.Alignment);
    if (a) style.alignment = a as Alignment;
    else issues.push({ path: `${path}.Alignment`, reason: `unknown alignment ${shown(raw.Alignment)}; valid: ${ALIGNMENTS.join(', ')}` });
  }
  for (const k of ['X', 'Y'] as const) {
    const v = raw[k];
    if (v === undefined) continue;
    if (v >= 1 && v < 2) issues.push({ path: `${path}.${k}`, reason: `${v} is neither a fraction (0–0.9999) nor a pixel position (≥ 2)` });
    else style[k === 'X' ? 'x' : 'y'] = v;
  }
  if (raw.TimelineIn !== undefined) style.timelineIn = raw.TimelineIn;
  if (raw.TimelineOut !== undefined) style.timelineOut = raw.TimelineOut;
  if (style.timelineIn !== undefined && style.timelineOut !== undefined && style.timelineIn >= style.timelineOut)
    issues.push({
      path: `${path}.TimelineIn`,
      reason: `TimelineIn ${style.timelineIn} must be less than TimelineOut ${style.timelineOut}`,
    });
  return style;
}

export function parseJob(params: RawJobParams, options: ParseOptions = {}): ParsedJob {
  const issues: Issue[] = [];
  const warnings: string[] = [];
  for (const k of Object.keys(params)) {
    if (!JOB_KEYS.includes(k)) {
      const meant = suggestKey(k, JOB_KEYS);
      warnings.push(`${/^\w{1,40}$/.test(k) ? k : shown(k, 40)}: unknown key ignored${meant ? ` — did you mean ${meant}?` : ''}`);
    }
  }
  if (params.InputConfig === undefined || params.InputConfig === null || params.InputConfig === '')
    issues.push({ path: 'InputConfig', reason: 'is required' });
  const inputRaw = decodeParam('InputConfig', params.InputConfig, issues, warnings);
  const editingRaw = decodeParam('EditingConfig', params.EditingConfig, issues, warnings);
  const outputRaw = decodeParam('OutputConfig', params.OutputConfig, issues, warnings);
  const input = check(InputConfigSchema, 'InputConfig', inputRaw, issues, warnings) as RawInputConfig | undefined;
  const editing = check(EditingConfigSchema, 'EditingConfig', editingRaw, issues, warnings) as RawEditingConfig | undefined;
  const output = check(OutputConfigSchema, 'OutputConfig', outputRaw, issues, warnings) as RawOutputConfig | undefined;

  let userData: string | undefined;
  if (params.UserData !== undefined && params.UserData !== null && params.UserData !== '') {
    const size = typeof params.UserData === 'string' ? Buffer.byteLength(params.UserData) : undefined;
    if (size !== undefined && size > 512) issues.push({ path: 'UserData', reason: `is ${size} bytes; at most 512 are allowed` });
    else if (decodeParam('UserData', params.UserData, issues) !== undefined) {
      userData = typeof params.UserData === 'string' ? params.UserData : JSON.stringify(params.UserData);
      if (Buffer.byteLength(userData) > 512)
        issues.push({ path: 'UserData', reason: `is ${Buffer.byteLength(userData)} bytes; at most 512 are allowed` });
    }
  }

  if (!input) throw new JobValidationError(capIssues(issues));
  // Cross-field checks still run when EditingConfig or OutputConfig failed their own schema, so that
  // one pass reports every problem; only the issues about configs that parsed are kept.
  const crossIssues: Issue[] = [];
  const limits = { maxOutputDuration: options.maxOutputDuration ?? DEFAULT_MAX_OUTPUT_DURATION };
  const job = resolve(input, editing ?? {}, output ?? {}, userData, options.baseDir ?? process.cwd(), crossIssues, warnings, limits);
  for (const i of crossIssues) {
    if ((!editing && i.path.startsWith('EditingConfig')) || (!output && i.path.startsWith('OutputConfig'))) continue;
    issues.push(i);
  }
  // Every file the job names: something a material can be (no control characters, no other schemes).
  if (input && !issues.some((i) => i.path.startsWith('InputConfig'))) {
    for (const n of namedRefs(job)) {
      const why = refProblem(n.ref);
      if (why) issues.push({ path: n.path, reason: `${shown(n.ref)} ${why}` });
    }
  }
  if (issues.length > 0) throw new JobValidationError(capIssues(issues));
  return {
    job,
    warnings,
    raw: {
      InputConfig: JSON.stringify(inputRaw),
      EditingConfig: JSON.stringify(editingRaw),
      OutputConfig: JSON.stringify(outputRaw),
      UserData: userData,
    },
  };
}

function resolve(
  input: RawInputConfig,
  editing: RawEditingConfig,
  output: RawOutputConfig,
  userData: string | undefined,
  baseDir: string,
  issues: Issue[],
  warnings: string[],
  limits: { maxOutputDuration: number },
): Job {
  // ---- mode -------------------------------------------------------------------------------
  const type = input.MediaGroupArray ? 'Script' : 'Smart_Mix';
  if (!input.MediaGroupArray && !input.MediaArray)
    issues.push({ path: 'InputConfig', reason: 'needs MediaGroupArray (Script mode) or MediaArray (Smart_Mix mode)' });
  if (input.MediaGroupArray && input.MediaArray)
    warnings.push('InputConfig.MediaArray: ignored because MediaGroupArray is present (Script mode)');

  const globalTexts = [...(input.SpeechTextArray ?? []), ...(input.SpeechText ? [input.SpeechText] : [])]
    .map((t) => t.trim())
    .filter(Boolean);
  input.SpeechTextArray?.forEach((t, i) => {
    if (t.length > 1000) issues.push({ path: `InputConfig.SpeechTextArray[${i}]`, reason: `is ${t.length} characters; at most 1000` });
  });

  // Markup must parse, and a text must have something to say: a voice-over of only emoji,
  // punctuation or invisible characters would make a silent video of no length.
  const checkMarkup = (text: string, path: string) => {
    let said = text;
    if (hasMarkup(text)) {
      try {
        said = parseSpeechText(text)
          .pieces.map((p) => ('say' in p ? p.say : ''))
          .join('');
      } catch (err) {
        if (err instanceof MarkupError) issues.push({ path, reason: err.message });
        else throw err;
        return;
      }
    }
    if (text.trim() !== '' && !SPEAKABLE.test(said))
      issues.push({ path, reason: `${shown(text, 30)} has nothing to speak (only punctuation, symbols, emoji or invisible characters)` });
  };
  for (const [i, t] of (input.SpeechTextArray ?? []).entries()) checkMarkup(t, `InputConfig.SpeechTextArray[${i}]`);
  if (input.SpeechText) checkMarkup(input.SpeechText, 'InputConfig.SpeechText');
  for (const [i, g] of (input.MediaGroupArray ?? []).entries())
    for (const [j, t] of (g.SpeechTextArray ?? []).entries()) checkMarkup(t, `InputConfig.MediaGroupArray[${i}].SpeechTextArray[${j}]`);

  const groups = (input.MediaGroupArray ?? []).map((g, i) => {
    (g.SpeechTextArray ?? []).forEach((t, j) => {
      if (t.length > 1000)
        issues.push({ path: `InputConfig.MediaGroupArray[${i}].SpeechTextArray[${j}]`, reason: `is ${t.length} characters; at most 1000` });
    });
    let split = true;
    if (g.SplitMode !== undefined) {
      if (g.SplitMode === 'NoSplit') split = false;
      else if (g.SplitMode !== 'Split' && g.SplitMode !== '')
        issues.push({
          path: `InputConfig.MediaGroupArray[${i}].SplitMode`,
          reason: `unknown value ${shown(g.SplitMode)}; valid: Split, NoSplit`,
        });
    }
    return {
      name: g.GroupName,
      media: g.MediaArray.map((m) => m.trim()),
      speechTexts: (g.SpeechTextArray ?? []).map((t) => t.trim()).filter(Boolean),
      duration: g.Duration,
      volume: g.Volume,
      split,
    };
  });
  const seen = new Map<string, number>();
  groups.forEach((g, i) => {
    if (seen.has(g.name))
      issues.push({
        path: `InputConfig.MediaGroupArray[${i}].GroupName`,
        reason: `${shown(g.name)} is already used by MediaGroupArray[${seen.get(g.name)}]`,
      });
    seen.set(g.name, i);
    g.media.forEach((m, j) => {
      if (!m) issues.push({ path: `InputConfig.MediaGroupArray[${i}].MediaArray[${j}]`, reason: 'must not be empty' });
    });
  });

  let scriptMode: Job['scriptMode'];
  if (type === 'Script') {
    const grouped = groups.some((g) => g.speechTexts.length > 0 || g.duration !== undefined);
    if (globalTexts.length > 0) {
      scriptMode = 'global';
      if (grouped) {
        const bad = groups.findIndex((g) => g.speechTexts.length > 0);
        if (bad >= 0)
          issues.push({
            path: `InputConfig.MediaGroupArray[${bad}].SpeechTextArray`,
            reason: 'group voice-over cannot be combined with InputConfig.SpeechTextArray/SpeechText (global voice-over)',
          });
      }
    } else scriptMode = grouped ? 'group' : 'global';
  }

  // ---- editing ----------------------------------------------------------------------------
  const mediaRanges = (editing.MediaConfig?.MediaMetaDataArray ?? []).map((m, i) => {
    const path = `EditingConfig.MediaConfig.MediaMetaDataArray[${i}]`;
    if (type === 'Script') {
      const inGroups = groups.filter((g) => (m.GroupName === undefined || g.name === m.GroupName) && g.media.includes(m.Media));
      if (m.GroupName !== undefined && !groups.some((g) => g.name === m.GroupName))
        issues.push({ path: `${path}.GroupName`, reason: `no group is named ${shown(m.GroupName)}` });
      else if (inGroups.length === 0)
        issues.push({
          path: `${path}.Media`,
          reason: `${shown(m.Media)} is not in the MediaArray of ${m.GroupName ? `group ${shown(m.GroupName)}` : 'any group'}`,
        });
    } else if (!(input.MediaArray ?? []).includes(m.Media)) {
      issues.push({ path: `${path}.Media`, reason: `${shown(m.Media)} is not in InputConfig.MediaArray` });
    }
    return {
      media: m.Media,
      group: type === 'Script' ? m.GroupName : undefined,
      ranges: m.TimeRangeList.map((r) => ({ in: r.In, out: r.Out })),
    };
  });

  const sc = editing.SpeechConfig ?? {};
  const voices = names(sc.Voice);
  const badVoices = voices.filter((v) => !findVoice(v));
  if (badVoices.length > 0)
    issues.push({
      path: 'EditingConfig.SpeechConfig.Voice',
      reason: `${unknownNames(badVoices).replace(/name/g, 'voice')}; run "reelsmith voices" (or ListSmartVoiceGroups) for the ${VOICES.length} valid names`,
    });
  // The language reaches the speech engine: only the catalogue's languages, never a free string.
  let language: Job['speech']['language'];
  if (sc.SpeechLanguage !== undefined && sc.SpeechLanguage.trim() !== '') {
    language = speechLanguage(sc.SpeechLanguage);
    if (!language)
      issues.push({
        path: 'EditingConfig.SpeechConfig.SpeechLanguage',
        reason: `unknown language ${shown(sc.SpeechLanguage)}; valid: ${SPEECH_LANGUAGE_NAMES.join(', ')}`,
      });
  }
  let style: Job['speech']['style'];
  if (sc.Style) {
    const s = matchName(SPEECH_STYLES, sc.Style);
    if (s) style = s as Job['speech']['style'];
    else
      issues.push({
        path: 'EditingConfig.SpeechConfig.Style',
        reason: `unknown style ${shown(sc.Style)}; valid: ${SPEECH_STYLES.join(', ')}`,
      });
  }
  const asr = sc.AsrConfig;
  const asrPath = 'EditingConfig.SpeechConfig.AsrConfig';
  const captionBase = textStyle(asr, asrPath, issues, {
    font: 'SimSun',
    fontSize: 0,
    fontColor: '#ffffff',
    outline: 3,
    outlineColour: '#000000',
  });
  // The IMS guide's own example writes the exit effect into AaiMotionInEffect ("wave_out"): an
  // `_out` name found there is taken as the exit effect, with a warning.
  const inNames = commaList(asr?.AaiMotionInEffect);
  const misplacedOut = inNames.filter((n) => !matchName(CAPTION_IN_EFFECTS, n) && matchName(CAPTION_OUT_EFFECTS, n));
  if (misplacedOut.length > 0)
    warnings.push(`${asrPath}.AaiMotionInEffect: exit effect ${misplacedOut.join(', ')} taken as AaiMotionOutEffect`);
  const captions: CaptionStyle = {
    ...captionBase,
    inEffects: checkNames(
      inNames.filter((n) => !misplacedOut.includes(n)),
      CAPTION_IN_EFFECTS,
      `${asrPath}.AaiMotionInEffect`,
      issues,
    ),
    outEffects: checkNames(
      [...commaList(asr?.AaiMotionOutEffect), ...misplacedOut],
      CAPTION_OUT_EFFECTS,
      `${asrPath}.AaiMotionOutEffect`,
      issues,
    ),
    loopEffects: checkNames(commaList(asr?.AaiMotionLoopEffect), CAPTION_LOOP_EFFECTS, `${asrPath}.AaiMotionLoopEffect`, issues),
    highlight: (() => {
      if (!asr?.WordHighlight) return undefined;
      const mode = matchName(['sweep', 'pop'], asr.WordHighlight);
      if (!mode) {
        issues.push({ path: `${asrPath}.WordHighlight`, reason: `unknown value ${shown(asr.WordHighlight)}; valid: sweep, pop` });
        return undefined;
      }
      const color = normalizeColor(asr.HighlightColor ?? '#ffd400');
      if (!color) issues.push({ path: `${asrPath}.HighlightColor`, reason: `${shown(asr.HighlightColor)} is not a #rrggbb colour` });
      return { mode: mode as 'sweep' | 'pop', color: color ?? '#ffd400' };
    })(),
  };

  const title = textStyle(editing.TitleConfig, 'EditingConfig.TitleConfig', issues, {
    font: 'SimSun',
    fontSize: 0,
    fontColor: '#ffffff',
    outline: 4,
    outlineColour: '#000000',
  });
  const subHeadingStyles: Record<string, Partial<TextStyle>> = {};
  for (const [level, s] of Object.entries(editing.SubHeadingConfig ?? {}))
    subHeadingStyles[level] = textStyle(s, `EditingConfig.SubHeadingConfig.${level}`, issues, { ...title });

  const bmc = editing.BackgroundMusicConfig ?? {};
  const musicStyles = commaList(bmc.Style);
  const checkedMusicStyles = checkNames(musicStyles, MUSIC_STYLES, 'EditingConfig.BackgroundMusicConfig.Style', issues);

  const bic = editing.BackgroundImageConfig ?? {};
  let background: Job['background'] = { type: 'Blur', radius: bic.Radius ?? 0.1 };
  if (bic.SubType !== undefined) {
    const sub = matchName(['Blur', 'Color'], bic.SubType);
    if (sub === 'Color') {
      const c = normalizeColor(bic.Color ?? '#000000');
      if (c) background = { type: 'Color', color: c };
      else issues.push({ path: 'EditingConfig.BackgroundImageConfig.Color', reason: `${shown(bic.Color)} is not a #rrggbb colour` });
    } else if (!sub)
      issues.push({
        path: 'EditingConfig.BackgroundImageConfig.SubType',
        reason: `unknown value ${shown(bic.SubType)}; valid: Blur, Color`,
      });
  }

  const pc = editing.ProcessConfig ?? {};
  // Durations far below a frame would plan billions of shots: nothing is shorter than two frames.
  const fps = output.Video?.Fps ?? 30;
  const minDuration = Math.ceil((2 / fps) * 1000) / 1000;
  const atLeastTwoFrames = (value: number | undefined, path: string, zeroAllowed = false) => {
    if (value === undefined || value >= minDuration || (zeroAllowed && value === 0)) return value;
    warnings.push(`${path}: ${value} s is shorter than two frames; ${minDuration} s is used`);
    return minDuration;
  };
  const singleShotDuration = atLeastTwoFrames(pc.SingleShotDuration, 'EditingConfig.ProcessConfig.SingleShotDuration') ?? 3;
  const imageDuration = atLeastTwoFrames(pc.ImageDuration, 'EditingConfig.ProcessConfig.ImageDuration') ?? singleShotDuration;
  const transitionDuration = atLeastTwoFrames(pc.TransitionDuration, 'EditingConfig.ProcessConfig.TransitionDuration', true) ?? 0.5;
  groups.forEach((g, i) => {
    g.duration = atLeastTwoFrames(g.duration, `InputConfig.MediaGroupArray[${i}].Duration`);
  });
  let alignment: 'AutoSpeed' | 'Cut' = 'AutoSpeed';
  if (pc.AlignmentMode !== undefined) {
    const a = matchName(['AutoSpeed', 'Cut'], pc.AlignmentMode);
    if (a) alignment = a as 'AutoSpeed' | 'Cut';
    else
      issues.push({
        path: 'EditingConfig.ProcessConfig.AlignmentMode',
        reason: `unknown value ${shown(pc.AlignmentMode)}; valid: AutoSpeed, Cut`,
      });
  }
  const transitionNames = checkNames(names(pc.TransitionList), TRANSITIONS, 'EditingConfig.ProcessConfig.TransitionList', issues, [
    'random',
  ]);
  const transitions = transitionNames.includes('random') || transitionNames.length === 0 ? [...TRANSITIONS] : transitionNames;
  let vfxProbability = pc.VfxEffectProbability ?? 0.5;
  if (vfxProbability > 1) vfxProbability /= 100;

  // ---- output -----------------------------------------------------------------------------
  const width = output.Width ?? 1080;
  const height = output.Height ?? 1920;
  if (Math.min(width, height) > 2160)
    issues.push({ path: 'OutputConfig', reason: `the short side ${Math.min(width, height)} must be at most 2160` });
  if (width % 2 || height % 2)
    issues.push({
      path: output.Width !== undefined && width % 2 ? 'OutputConfig.Width' : 'OutputConfig.Height',
      reason: 'must be even (H.264 4:2:0)',
    });
  const mediaURL = output.MediaURL ?? output.FileName ?? 'output_{index}.mp4';
  const mediaURLPath = output.MediaURL !== undefined ? 'OutputConfig.MediaURL' : 'OutputConfig.FileName';
  if (!mediaURL.includes('{index}')) issues.push({ path: mediaURLPath, reason: 'must contain {index}' });
  // The name becomes a file: no control characters, a length a file system takes.
  if (/[\u0000-\u001f\u007f]/.test(mediaURL)) issues.push({ path: mediaURLPath, reason: `${shown(mediaURL)} contains control characters` });
  else if (mediaURL.length > 1024) issues.push({ path: mediaURLPath, reason: `is ${mediaURL.length} characters; at most 1024` });
  else if (Buffer.byteLength(mediaURL.split(/[/\\]/).pop() ?? '') > 200)
    issues.push({ path: mediaURLPath, reason: 'its file name is longer than 200 bytes' });
  for (const k of ['MaxDuration', 'FixedDuration'] as const) {
    const v = output[k];
    if (v !== undefined && v > limits.maxOutputDuration)
      issues.push({
        path: `OutputConfig.${k}`,
        reason: `${v} s is longer than the longest output this service makes (${limits.maxOutputDuration} s)`,
      });
  }
  let preset = 'veryfast';
  if (output.Video?.Preset !== undefined) {
    const p = matchName(X264_PRESETS, output.Video.Preset);
    if (p) preset = p;
    else
      issues.push({
        path: 'OutputConfig.Video.Preset',
        reason: `unknown preset ${shown(output.Video.Preset)}; valid: ${X264_PRESETS.join(', ')}`,
      });
  }
  if (output.FixedDuration !== undefined && (type === 'Smart_Mix' || scriptMode === 'group' || globalTexts.length > 0))
    warnings.push('OutputConfig.FixedDuration: only applies to Script jobs without voice-over; ignored');

  const music = [...(input.BackgroundMusicArray ?? []), ...(input.BackgroundMusic ? [input.BackgroundMusic] : [])];
  const backgroundImages = [...(input.BackgroundImageArray ?? []), ...(input.BackgroundImage ? [input.BackgroundImage] : [])];
  const stickers = (input.StickerArray ?? []).flatMap((s, i) => {
    const media = s.MediaId ?? s.MediaURL;
    if (!media) {
      issues.push({ path: `InputConfig.StickerArray[${i}]`, reason: 'needs MediaId or MediaURL' });
      return [];
    }
    return [{ media, x: s.X, y: s.Y, width: s.Width, height: s.Height, opacity: s.Opacity ?? 1 }];
  });
  const titles = [...(input.TitleArray ?? []), ...(input.Title ? [input.Title] : [])];
  titles.forEach((t, i) => {
    if (t.length > 200) issues.push({ path: `InputConfig.TitleArray[${i}]`, reason: `is ${t.length} characters; at most 200` });
    else if (t.length > 50) warnings.push(`InputConfig.TitleArray[${i}]: longer than the 50 characters IMS allows`);
  });

  return {
    type,
    scriptMode,
    groups,
    media: (input.MediaArray ?? []).map((m) => m.trim()),
    speechTexts: globalTexts,
    titles,
    subHeadings: (input.SubHeadingArray ?? []).map((s) => ({ level: s.Level, titles: s.TitleArray })),
    music,
    backgroundImages,
    stickers,
    mediaRanges,
    mediaVolume: editing.MediaConfig?.Volume ?? 0,
    speech: {
      voices,
      style,
      rate: sc.SpeechRate ?? 0,
      volume: (sc.Volume ?? 1) * (sc.Gain ?? 1),
      language,
      captions,
    },
    title,
    subHeadingStyles,
    musicConfig: { styles: checkedMusicStyles, volume: (bmc.Volume ?? 0.2) * (bmc.Gain ?? 1) },
    background,
    process: {
      singleShotDuration,
      imageDuration,
      alignment,
      allowTransition: pc.AllowTransition ?? false,
      transitions,
      transitionDuration,
      uniformTransition: pc.UseUniformTransition ?? true,
      allowVfx: pc.AllowVfxEffect ?? false,
      vfxProbability,
      vfxFirst: checkNames(names(pc.VfxFirstClipEffectList), VFX_ALL, 'EditingConfig.ProcessConfig.VfxFirstClipEffectList', issues),
      vfxNotFirst: checkNames(
        names(pc.VfxNotFirstClipEffectList),
        VFX_ALL,
        'EditingConfig.ProcessConfig.VfxNotFirstClipEffectList',
        issues,
      ),
      allowFilter: pc.AllowFilter ?? false,
      filters: checkNames(names(pc.FilterList), ALL_LOOKS, 'EditingConfig.ProcessConfig.FilterList', issues),
    },
    output: {
      mediaURL,
      count: output.Count ?? 1,
      width,
      height,
      maxDuration: output.MaxDuration,
      fixedDuration: output.FixedDuration,
      crf: output.Video?.Crf ?? 23,
      fps: output.Video?.Fps ?? 30,
      preset,
      previewOnly: output.GeneratePreviewOnly ?? false,
    },
    userData,
    baseDir,
  };
}
