/**
 * The IMS job format as one zod tree: the single source of the raw input types and of the
 * path-precise error messages. Lenient where IMS is lenient: numbers and booleans may come as
 * strings, unknown keys are ignored (and reported as warnings by `unknownKeys`).
 */
import { z } from 'zod';

/** Numbers may come as strings (IMS sends form values), written in decimal only: "0x10" is not 16. */
const DECIMAL = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;
const numberLike = (v: unknown) => (typeof v === 'string' && DECIMAL.test(v) && Number.isFinite(Number(v)) ? Number(v) : v);
const boolLike = (v: unknown) => {
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'true' || s === '1') return true;
    if (s === 'false' || s === '0' || s === '') return false;
  }
  if (v === 1) return true;
  if (v === 0) return false;
  return v;
};

/** The allowed values of a number: `min`/`max` inclusive, `gt` exclusive, `int` whole numbers. */
export interface NumberRange {
  min?: number;
  gt?: number;
  max?: number;
  int?: boolean;
  unit?: string;
}

function rangeText(r: NumberRange): string {
  const u = r.unit ? ` ${r.unit}` : '';
  const low = r.min !== undefined ? `${r.min}` : r.gt !== undefined ? `more than ${r.gt}` : undefined;
  if (low !== undefined && r.max !== undefined)
    return r.min !== undefined ? `from ${low} to ${r.max}${u}` : `${low} and at most ${r.max}${u}`;
  if (low !== undefined) return r.min !== undefined ? `at least ${low}${u}` : `${low}${u}`;
  if (r.max !== undefined) return `at most ${r.max}${u}`;
  return '';
}

/**
 * A number (or a decimal string) with its range; an out-of-range value says so and gives the range
 * (`501 is out of range: must be from -500 to 500`), a non-number says it is not a number.
 */
export const num = (r: NumberRange = {}) => {
  const range = rangeText(r);
  const out = (iss: { input?: unknown }) => `${String(iss.input)} is out of range: must be ${range}`;
  let n = z.number({ error: (iss) => (iss.input === undefined ? 'is required' : `must be a number${range ? ` (${range})` : ''}`) });
  if (r.int) n = n.int({ error: (iss) => `${String(iss.input)} must be a whole number${range ? ` ${range}` : ''}` });
  if (r.min !== undefined) n = n.min(r.min, { error: out });
  if (r.gt !== undefined) n = n.gt(r.gt, { error: out });
  if (r.max !== undefined) n = n.max(r.max, { error: out });
  const schema = z.preprocess(numberLike, n);
  RANGES.set(schema, r);
  return schema;
};
export const bool = () => {
  const schema = z.preprocess(boolLike, z.boolean({ error: 'must be true or false' }));
  BOOLS.add(schema);
  return schema;
};

/** The numbers' and booleans' schemas, for the JSON Schema (json-schema.ts): what they accept. */
const RANGES = new WeakMap<object, NumberRange>();
const BOOLS = new WeakSet<object>();
export const numberRangeOf = (schema: unknown) => (schema && typeof schema === 'object' ? RANGES.get(schema) : undefined);
export const isBoolSchema = (schema: unknown) => !!schema && typeof schema === 'object' && BOOLS.has(schema);
const str = () => z.string({ error: 'must be a string' });
/** A list given either as a JSON array of strings or as one string. */
const strList = () => z.array(str(), { error: 'must be an array of strings' });

export const TimeRangeSchema = z.object({ In: num({ unit: 's' }), Out: num({ unit: 's' }) }).superRefine((r, ctx) => {
  if (r.In < 0) ctx.addIssue({ code: 'custom', message: `In ${r.In} must not be negative`, path: ['In'] });
  if (!(r.In < r.Out)) ctx.addIssue({ code: 'custom', message: `In ${r.In} must be less than Out ${r.Out}` });
});

export const MediaGroupSchema = z.object({
  GroupName: str().min(1, 'must not be empty').max(50, 'must be at most 50 characters'),
  MediaArray: strList().min(1, 'must list at least one material').max(200, 'at most 200 materials per group'),
  SpeechTextArray: strList().max(50, 'at most 50 texts').optional(),
  Duration: num({ gt: 0, max: 600, unit: 's' }).optional(),
  Volume: num({ min: 0, max: 10 }).optional(),
  SplitMode: str().optional(),
});

export const StickerSchema = z.object({
  MediaId: str().optional(),
  MediaURL: str().optional(),
  X: num({ min: 0, max: 100_000 }).optional(),
  Y: num({ min: 0, max: 100_000 }).optional(),
  Width: num({ gt: 0, max: 100_000 }).optional(),
  Height: num({ gt: 0, max: 100_000 }).optional(),
  Opacity: num({ min: 0, max: 1 }).optional(),
  DyncFrames: num().optional(),
});

export const InputConfigSchema = z.object({
  MediaGroupArray: z.array(MediaGroupSchema).min(1, 'must have at least one group').max(40, 'at most 40 groups').optional(),
  MediaArray: strList().min(1, 'must list at least one material').optional(),
  SpeechTextArray: strList().max(50, 'at most 50 texts').optional(),
  SpeechText: str().optional(),
  TitleArray: strList().max(50, 'at most 50 titles').optional(),
  Title: str().optional(),
  SubHeadingArray: z.array(z.object({ Level: num({ int: true, min: 1, max: 5 }), TitleArray: strList().min(1) })).optional(),
  BackgroundMusicArray: strList().max(50).optional(),
  BackgroundMusic: str().optional(),
  BackgroundImageArray: strList().max(50).optional(),
  BackgroundImage: str().optional(),
  StickerArray: z.array(StickerSchema).max(50).optional(),
  SceneInfo: z.unknown().optional(),
});

export const TextStyleSchema = z.object({
  Font: str().optional(),
  FontUrl: str().optional(),
  FontSize: num({ min: 0, max: 5000 }).optional(),
  FontColor: str().optional(),
  Alignment: str().optional(),
  X: num({ min: 0, max: 100_000 }).optional(),
  Y: num({ min: 0, max: 100_000 }).optional(),
  Outline: num({ min: 0, max: 100 }).optional(),
  OutlineColour: str().optional(),
  TimelineIn: num({ min: 0, max: 3600, unit: 's' }).optional(),
  TimelineOut: num({ min: 0, max: 3600, unit: 's' }).optional(),
});

export const AsrConfigSchema = TextStyleSchema.extend({
  AaiMotionInEffect: str().optional(),
  AaiMotionOutEffect: str().optional(),
  AaiMotionLoopEffect: str().optional(),
  /** reelsmith extension: word-by-word highlighting, `sweep` or `pop`. */
  WordHighlight: str().optional(),
  /** reelsmith extension: colour of spoken words (default #ffd400). */
  HighlightColor: str().optional(),
});

export const EditingConfigSchema = z.object({
  MediaConfig: z
    .object({
      Volume: num({ min: 0, max: 10 }).optional(),
      MediaMetaDataArray: z
        .array(z.object({ Media: str().min(1), GroupName: str().optional(), TimeRangeList: z.array(TimeRangeSchema).min(1) }))
        .optional(),
    })
    .optional(),
  SpeechConfig: z
    .object({
      Voice: str().optional(),
      Style: str().optional(),
      SpeechRate: num({ int: true, min: -500, max: 500 }).optional(),
      Volume: num({ min: 0, max: 10 }).optional(),
      Gain: num({ min: 0, max: 10 }).optional(),
      SpeechLanguage: str().optional(),
      AsrConfig: AsrConfigSchema.optional(),
    })
    .optional(),
  TitleConfig: TextStyleSchema.optional(),
  SubHeadingConfig: z.record(z.string(), TextStyleSchema).optional(),
  BackgroundMusicConfig: z
    .object({ Style: str().optional(), Volume: num({ min: 0, max: 10 }).optional(), Gain: num({ min: 0, max: 10 }).optional() })
    .optional(),
  BackgroundImageConfig: z
    .object({ SubType: str().optional(), Radius: num({ min: 0, max: 1 }).optional(), Color: str().optional() })
    .optional(),
  ProcessConfig: z
    .object({
      SingleShotDuration: num({ gt: 0, max: 600, unit: 's' }).optional(),
      ImageDuration: num({ gt: 0, max: 600, unit: 's' }).optional(),
      AlignmentMode: str().optional(),
      AllowTransition: bool().optional(),
      TransitionList: z.union([strList(), str()]).optional(),
      TransitionDuration: num({ min: 0, max: 5, unit: 's' }).optional(),
      UseUniformTransition: bool().optional(),
      AllowVfxEffect: bool().optional(),
      VfxEffectProbability: num({ min: 0, max: 100 }).optional(),
      VfxFirstClipEffectList: z.union([strList(), str()]).optional(),
      VfxNotFirstClipEffectList: z.union([strList(), str()]).optional(),
      AllowFilter: bool().optional(),
      FilterList: z.union([strList(), str()]).optional(),
    })
    .optional(),
});

export const OutputConfigSchema = z.object({
  MediaURL: str().optional(),
  FileName: str().optional(),
  Count: num({ int: true, min: 1, max: 100 }).optional(),
  Width: num({ int: true, min: 128, max: 4096 }).optional(),
  Height: num({ int: true, min: 128, max: 4096 }).optional(),
  MaxDuration: num({ gt: 0, max: 3600, unit: 's' }).optional(),
  FixedDuration: num({ gt: 0, max: 3600, unit: 's' }).optional(),
  Video: z
    .object({
      Crf: num({ int: true, min: 0, max: 51 }).optional(),
      Fps: num({ min: 1, max: 120 }).optional(),
      Preset: str().optional(),
    })
    .optional(),
  GeneratePreviewOnly: bool().optional(),
});

export type RawInputConfig = z.infer<typeof InputConfigSchema>;
export type RawEditingConfig = z.infer<typeof EditingConfigSchema>;
export type RawOutputConfig = z.infer<typeof OutputConfigSchema>;

/** Keys present in `value` that the schema does not know, as JSON paths (for warnings). */
/** A key the schema does not know, with the keys its object may have. */
export interface UnknownKey {
  path: string;
  key: string;
  valid: string[];
}

export function unknownKeys(schema: z.ZodType, value: unknown, path: string): UnknownKey[] {
  const def = (schema as unknown as { def: Record<string, unknown> & { type: string } }).def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
      return unknownKeys(def.innerType as z.ZodType, value, path);
    case 'pipe':
      return unknownKeys(def.out as z.ZodType, value, path);
    case 'array':
      return Array.isArray(value) ? value.flatMap((v, i) => unknownKeys(def.element as z.ZodType, v, `${path}[${i}]`)) : [];
    case 'record':
      return value && typeof value === 'object'
        ? Object.entries(value).flatMap(([k, v]) => unknownKeys(def.valueType as z.ZodType, v, `${path}.${k}`))
        : [];
    case 'object': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
      const shape = def.shape as Record<string, z.ZodType>;
      return Object.entries(value).flatMap(([k, v]) =>
        Object.hasOwn(shape, k) ? unknownKeys(shape[k], v, `${path}.${k}`) : [{ path: `${path}.${k}`, key: k, valid: Object.keys(shape) }],
      );
    }
    default:
      return [];
  }
}

/** The keys an object at `path` (below `schema`) may have; undefined where the schema has no object. */
export function keysAt(schema: z.ZodType, path: (string | number)[]): string[] | undefined {
  const def = (schema as unknown as { def: Record<string, unknown> & { type: string } }).def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
      return keysAt(def.innerType as z.ZodType, path);
    case 'pipe':
      return keysAt(def.out as z.ZodType, path);
    case 'union':
      for (const option of def.options as z.ZodType[]) {
        const keys = keysAt(option, path);
        if (keys) return keys;
      }
      return undefined;
    case 'array':
      return typeof path[0] === 'number' ? keysAt(def.element as z.ZodType, path.slice(1)) : undefined;
    case 'record':
      return path.length === 0 ? undefined : keysAt(def.valueType as z.ZodType, path.slice(1));
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      if (path.length === 0) return Object.keys(shape);
      const next = path[0];
      return typeof next === 'string' && Object.hasOwn(shape, next) ? keysAt(shape[next], path.slice(1)) : undefined;
    }
    default:
      return undefined;
  }
}
