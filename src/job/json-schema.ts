/**
 * The job format as a JSON Schema (draft 2020-12), generated from the zod schema that validates
 * jobs (schema.ts), for editors: they complete keys and catalogue names and mark mistakes while a
 * job file is written. Published by `reelsmith schema` and at /api/v1/job.schema.json.
 *
 * What the parser takes beyond the schema: numbers and booleans may also be strings ("0.5", "true":
 * IMS sends form values); names are case-insensitive; later checks (a voice's language, a range's
 * order) are the parser's. The schema is never stricter than the parser.
 */
import { z } from 'zod';
import { ALL_LOOKS } from '../effects/looks.js';
import { SPEECH_LANGUAGE_NAMES, VOICES } from '../speech/voices.js';
import {
  ALIGNMENTS,
  CAPTION_IN_EFFECTS,
  CAPTION_LOOP_EFFECTS,
  CAPTION_OUT_EFFECTS,
  MUSIC_STYLES,
  SPEECH_STYLES,
  TRANSITIONS,
  VFX_ALL,
} from './catalogue.js';
import { EditingConfigSchema, InputConfigSchema, numberRangeOf, OutputConfigSchema, isBoolSchema } from './schema.js';

type Json = Record<string, unknown>;

const DECIMAL_PATTERN = '^\\s*[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?\\s*$';

/** A pattern matching any of `names`, ignoring case, or a comma-separated list of them. */
function nameListPattern(names: readonly string[]): string {
  const one = names
    .map((n) =>
      [...n]
        .map((ch) => (/[a-z]/i.test(ch) ? `[${ch.toLowerCase()}${ch.toUpperCase()}]` : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join(''),
    )
    .join('|');
  return `^\\s*(${one})(\\s*,\\s*(${one}))*\\s*$`;
}

/** A name of a catalogue (completed by editors), or several separated by commas. */
function names(list: readonly string[], description: string, array = false): Json {
  const single = { type: 'string', anyOf: [{ enum: [...list] }, { pattern: nameListPattern(list) }] };
  return array
    ? { description, anyOf: [{ type: 'array', items: { type: 'string', anyOf: single.anyOf } }, single] }
    : { description, ...single };
}

/** What editors say about the main fields, and the catalogues they complete from. */
const FIELDS: Record<string, Json> = {
  'InputConfig.MediaGroupArray': {
    description: 'Script mode: the scenes, in order; each output takes one or more materials of each group.',
  },
  'InputConfig.MediaArray': {
    description: 'Smart_Mix mode: the materials; each caption unit gets the one whose title, tags and file name match it best.',
  },
  'InputConfig.SpeechText': { description: 'The voice-over of every output (plain text or SSML).' },
  'InputConfig.SpeechTextArray': { description: 'Voice-overs to pick from, one per output.' },
  'InputConfig.Title': { description: 'The title shown on every output.' },
  'InputConfig.TitleArray': { description: 'Titles to pick from, one per output.' },
  'InputConfig.BackgroundMusicArray': { description: 'Music files, URLs or media IDs to pick from.' },
  'InputConfig.BackgroundImageArray': { description: 'Images behind materials whose aspect ratio differs from the output.' },
  'EditingConfig.SpeechConfig.Voice': names(
    VOICES.map((v) => v.name),
    'Voice of the voice-over ("reelsmith voices" lists them); several, comma-separated, are picked at random.',
  ),
  'EditingConfig.SpeechConfig.Style': names(SPEECH_STYLES, 'Voice style: a voice of this style is picked.'),
  'EditingConfig.SpeechConfig.SpeechLanguage': names(SPEECH_LANGUAGE_NAMES, 'Language of the voice-over.'),
  'EditingConfig.SpeechConfig.SpeechRate': { description: 'Speed of the voice-over, -500 (slower) to 500 (faster); 0 is normal.' },
  // Exit effects written here are taken as AaiMotionOutEffect (the guide's own example does it).
  'EditingConfig.SpeechConfig.AsrConfig.AaiMotionInEffect': names(
    [...CAPTION_IN_EFFECTS, ...CAPTION_OUT_EFFECTS],
    'How captions come in (an exit effect here is taken as AaiMotionOutEffect).',
  ),
  'EditingConfig.SpeechConfig.AsrConfig.AaiMotionOutEffect': names(CAPTION_OUT_EFFECTS, 'How captions go out.'),
  'EditingConfig.SpeechConfig.AsrConfig.AaiMotionLoopEffect': names(CAPTION_LOOP_EFFECTS, 'How captions move while shown.'),
  'EditingConfig.SpeechConfig.AsrConfig.Alignment': names(ALIGNMENTS, 'Alignment of the captions.'),
  'EditingConfig.TitleConfig.Alignment': names(ALIGNMENTS, 'Alignment of the title.'),
  'EditingConfig.BackgroundMusicConfig.Style': names(MUSIC_STYLES, 'Music style, when no music is given.'),
  'EditingConfig.BackgroundImageConfig.SubType': names(['Blur', 'Color', 'Image'], 'Fill for mismatched aspect ratios.'),
  'EditingConfig.ProcessConfig.TransitionList': names(TRANSITIONS, 'Transitions to pick from ("reelsmith transitions").', true),
  'EditingConfig.ProcessConfig.VfxFirstClipEffectList': names(VFX_ALL, 'Effects for the first shot ("reelsmith effects").', true),
  'EditingConfig.ProcessConfig.VfxNotFirstClipEffectList': names(VFX_ALL, 'Effects for the other shots ("reelsmith effects").', true),
  'EditingConfig.ProcessConfig.FilterList': names(ALL_LOOKS, 'Colour looks to pick from, one per output.', true),
  'EditingConfig.ProcessConfig.VfxEffectProbability': {
    description: 'Chance that a shot gets an effect: 0-1, or 0-100 read as a percentage.',
  },
  'EditingConfig.ProcessConfig.TransitionDuration': { description: 'Length of each transition, seconds (default 0.5).' },
  'OutputConfig.MediaURL': { description: 'Where each output goes; {index} is replaced by the output number.' },
  'OutputConfig.Count': { description: 'How many distinct videos to make.' },
  'OutputConfig.Width': { description: 'Output width in pixels (e.g. 1080).' },
  'OutputConfig.Height': { description: 'Output height in pixels (e.g. 1920).' },
  'OutputConfig.MaxDuration': { description: 'Longest output, seconds.' },
};

/** The JSON Schema of one part of a job (InputConfig, EditingConfig, OutputConfig). */
function partSchema(schema: z.ZodType, root: string): Json {
  const json = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
    override: (ctx) => {
      const range = numberRangeOf(ctx.zodSchema);
      const target = ctx.jsonSchema as Json;
      if (range) {
        for (const k of Object.keys(target)) delete target[k];
        const n: Json = { type: range.int ? 'integer' : 'number' };
        if (range.min !== undefined) n.minimum = range.min;
        if (range.max !== undefined) n.maximum = range.max;
        if (range.gt !== undefined) n.exclusiveMinimum = range.gt;
        Object.assign(target, { anyOf: [n, { type: 'string', pattern: DECIMAL_PATTERN }] });
      } else if (isBoolSchema(ctx.zodSchema)) {
        for (const k of Object.keys(target)) delete target[k];
        Object.assign(target, { anyOf: [{ type: 'boolean' }, { enum: ['true', 'false', 'True', 'False', '1', '0', '', 0, 1] }] });
      }
    },
  }) as Json;
  delete json.$schema;
  // Unknown keys are warnings, not errors, for the parser: the schema lets them be too.
  const walk = (node: Json, path: string) => {
    const extra = FIELDS[path];
    if (extra) Object.assign(node, extra);
    const props = node.properties as Record<string, Json> | undefined;
    if (props) for (const [k, v] of Object.entries(props)) walk(v, `${path}.${k}`);
    if (node.items && typeof node.items === 'object') walk(node.items as Json, path);
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const)
      for (const sub of (node[key] as Json[] | undefined) ?? []) if (sub.type === 'object' || sub.properties) walk(sub, path);
    if (node.additionalProperties && typeof node.additionalProperties === 'object') walk(node.additionalProperties as Json, `${path}.*`);
  };
  walk(json, root);
  const open = (node: Json) => {
    if (node.additionalProperties === false) delete node.additionalProperties;
    for (const v of Object.values(node)) {
      if (Array.isArray(v)) for (const x of v) if (x && typeof x === 'object') open(x as Json);
      if (v && typeof v === 'object' && !Array.isArray(v)) open(v as Json);
    }
  };
  open(json);
  return json;
}

/** The whole job file: the three configs (objects, or JSON strings as the API takes them) and UserData. */
export function jobJsonSchema(): Json {
  const part = (schema: z.ZodType, name: string, description: string) => ({
    description,
    anyOf: [partSchema(schema, name), { type: 'string', description: `${name} as a JSON string, as the IMS API takes it` }],
  });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://reelsmith.dev/job.schema.json',
    title: 'reelsmith job (IMS SubmitBatchMediaProducingJob)',
    description:
      'A batch of short videos: materials, voice-over, titles and style options in, Count videos out. The IMS job format; job files may hold comments and trailing commas.',
    type: 'object',
    required: ['InputConfig'],
    properties: {
      $schema: { type: 'string', description: 'The schema this file follows (ignored by reelsmith).' },
      InputConfig: part(InputConfigSchema, 'InputConfig', 'The materials, voice-over texts, titles, music and stickers.'),
      EditingConfig: part(EditingConfigSchema, 'EditingConfig', 'How the videos are edited: voice, captions, music, transitions, effects.'),
      OutputConfig: part(OutputConfigSchema, 'OutputConfig', 'Where the videos go, how many, their size and length.'),
      UserData: { description: 'Free data returned with the job (NotifyAddress: a callback URL).', type: ['object', 'string'] },
    },
  };
}
