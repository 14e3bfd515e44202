/**
 * Writing jobs by hand: job files with comments, trailing commas and slips (a missing comma, a key
 * given twice, a misspelt key), the IMS guide's examples as printed, the JSON Schema that editors
 * see (checked with Ajv, a standard validator), `reelsmith validate`, and a first job from a
 * folder of clips (`reelsmith new`, `reelsmith produce DIR`).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepare } from '../src/batch/produce.js';
import { jobJsonSchema } from '../src/job/json-schema.js';
import { parseJob, readJob } from '../src/job/parse.js';
import { isFailure } from '../src/planner/plan.js';
import { cli, ffprobe, frameAt, luma, media, tempDir, testHome, useTempHome } from './helpers.js';

const GUIDE = join(import.meta.dirname, 'guide');
const SMALL = { MediaURL: 'o_{index}.mp4', Count: 1, Width: 360, Height: 640, MaxDuration: 10 };

let dir: string;
let long: string[];

/** A clip of `seconds` whose brightness says the time (for in and out points). */
async function clip(file: string, seconds: number) {
  await execa('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `color=c=gray:s=160x284:r=15:d=${seconds},geq=lum='40+6*T':cb=128:cr=128`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    file,
  ]);
}

beforeAll(async () => {
  useTempHome();
  dir = tempDir('rs-authoring-');
  long = ['long_a.mp4', 'long_b.mp4', 'long_c.mp4'].map((f) => join(dir, f));
  await Promise.all(long.map((f) => clip(f, 24)));
});

/** The guide's media IDs and URLs, replaced by files (in the pasted text itself). */
function withMedia(text: string): string {
  const files: Record<string, string> = {
    '****9d46c886b45481030f6e****': long[0],
    '****c886810b4549d4630f6e****': long[1],
    'http://test-bucket.oss-cn-shanghai.aliyuncs.com/test1.mp4': long[2],
    'http://test-bucket.oss-cn-shanghai.aliyuncs.com/test2.png': media('fresh_fruit.png'),
    '****b4549d46c88681030f6e****': media('relaxing_theme.mp3'),
    '****c88681b4549d46030f6e****': media('poster_background.png'),
  };
  let out = text;
  for (const [id, file] of Object.entries(files)) out = out.split(id).join(file);
  return out;
}

/** The guide's examples: an InputConfig and/or an EditingConfig each, as printed. */
function guideExamples(): { name: string; input?: string; editing?: string }[] {
  const files = readdirSync(GUIDE)
    .filter((f) => f.endsWith('.jsonc'))
    .sort();
  const byName = new Map<string, { name: string; input?: string; editing?: string }>();
  for (const f of files) {
    const m = /^\d+-(.+)\.(input|editing)\.jsonc$/.exec(f)!;
    const e = byName.get(m[1]) ?? { name: m[1] };
    e[m[2] as 'input' | 'editing'] = readFileSync(join(GUIDE, f), 'utf8');
    byName.set(m[1], e);
  }
  return [...byName.values()];
}

const DEFAULT_INPUT = () =>
  JSON.stringify({ MediaArray: [long[0], media('fresh_fruit.png')], SpeechText: 'Fresh fruit today. Come and see.' });

describe('the IMS guide’s examples, as printed', () => {
  const examples = guideExamples();

  it('holds all sixteen blocks of the guide, slips included', () => {
    expect(readdirSync(GUIDE).filter((f) => f.endsWith('.jsonc'))).toHaveLength(16);
    const slips = readFileSync(join(GUIDE, '04-caption-effects.editing.jsonc'), 'utf8');
    expect(slips.match(/"AaiMotionInEffect"/g)).toHaveLength(2);
    expect(() => JSON.parse(slips)).toThrow();
  });

  for (const ex of examples) {
    it(`${ex.name}: plans as pasted, given to the API as strings`, async () => {
      // The configs as the IMS API takes them: JSON strings (here with the guide's comments and slips).
      const parsed = parseJob(
        {
          InputConfig: withMedia(ex.input ?? DEFAULT_INPUT()),
          EditingConfig: withMedia(ex.editing ?? '{}'),
          OutputConfig: JSON.stringify(SMALL),
        },
        { baseDir: dir },
      );
      const p = await prepare(parsed, { home: testHome(), seed: 1 });
      const failures = p.plan.timelines.filter(isFailure);
      expect(failures.map((f) => f.error.message)).toEqual([]);
      expect(p.plan.timelines).toHaveLength(1);
    });
  }

  it('in a job file: the guide’s slips are warnings that name their lines, word for word', async () => {
    const ex = examples.find((e) => e.name === 'caption-effects')!;
    const file = join(dir, 'captions.json');
    writeFileSync(
      file,
      `{\n  "InputConfig": ${DEFAULT_INPUT()},\n  "EditingConfig": ${ex.editing!.trim()},\n  "OutputConfig": ${JSON.stringify(SMALL)}\n}\n`,
    );
    const r = await cli(['validate', file]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('warning:'))).toEqual([
      'warning: line 7, column 12: missing "," after the value on line 6; read as if it were there',
      'warning: AaiMotionInEffect is given twice (lines 6 and 7); the second wins — did you mean AaiMotionOutEffect?',
      'warning: EditingConfig.SpeechConfig.AsrConfig.AaiMotionInEffect (line 7): exit effect wave_out taken as AaiMotionOutEffect',
    ]);
    expect(r.stdout).toMatch(/captions\.json: valid \(Smart_Mix, 1 video of 360x640, 3 warnings\)/);
  });
});

describe('job files by hand', () => {
  it('a syntax error names its line and column, shows the line, and says what is probably wrong', async () => {
    // [text, line, column, reason, the line as shown]
    const cases: [string, number, number, string][] = [
      [
        '{\n  "InputConfig": {\n    "MediaArray": ["a.mp4"],\n    Title: "Opening day"\n  }\n}\n',
        4,
        5,
        'a key without quotes (Title): JSON keys take double quotes',
      ],
      ['{\n  "InputConfig": { "MediaArray": [\'a.mp4\'] }\n}\n', 2, 35, 'a string in single quotes: JSON strings take double quotes'],
      [
        '{\n  "InputConfig": { "MediaArray": ["a.mp4"], "SpeechText": "Hi" }\n  "OutputConfig": { "Count": 2, }\n',
        4,
        1,
        'missing "}" (or a "," between two keys)',
      ],
      [
        '{\n  "InputConfig": { "MediaArray": ["a.mp4"], "SpeechText": "Hi", },\n  "OutputConfig": { "Count": True }\n}\n',
        3,
        30,
        'True is not a JSON value (JSON writes true, false and null; numbers are finite)',
      ],
      [
        '{\n  "InputConfig": { "MediaArray": ["a.mp4"], "SpeechText": "Hi" }\n}\n}\n',
        4,
        1,
        'more text after the end of the JSON value (a "}" or "]" too many, or two values in one file)',
      ],
    ];
    const d = tempDir('rs-bad-');
    for (const [text, line, column, reason] of cases) {
      writeFileSync(join(d, 'bad.json'), text);
      const run = await cli(['validate', 'bad.json'], {}, d);
      expect(run.exitCode, run.stderr).toBe(2);
      const shown = text.split('\n')[line - 1];
      const n = String(line);
      expect(run.stderr).toBe(
        'InvalidParameter: the job is invalid:\n' +
          `  bad.json: line ${line}, column ${column}: ${reason}\n` +
          `    ${n} | ${shown}\n` +
          `    ${' '.repeat(n.length)} | ${' '.repeat(column - 1)}^`,
      );
    }
    // A missing comma is read as if it were there: a warning, and the job goes on.
    writeFileSync(join(d, 'slip.json'), '{\n  "InputConfig": { "MediaArray": ["a.mp4"] "SpeechText": "Hi" }\n}\n');
    const slip = await cli(['validate', 'slip.json'], {}, d);
    expect(slip.stdout).toContain('warning: line 2, column 44: missing "," after the value before it; read as if it were there');
  });

  it('unknown keys are warned about with the key probably meant; "$schema" is accepted', () => {
    const p = parseJob({
      $schema: 'https://reelsmith.dev/job.schema.json',
      InputConfig: { MediaArray: ['a.mp4'], SpeechText: 'Hi.', Tittle: 'Open' },
      EditingConfig: { ProcessConfig: { AllowTransitions: true } },
      OutputConfig: { Widht: 360 },
    });
    expect(p.warnings).toEqual([
      'InputConfig.Tittle: unknown key ignored — did you mean Title?',
      'EditingConfig.ProcessConfig.AllowTransitions: unknown key ignored — did you mean AllowTransition?',
      'OutputConfig.Widht: unknown key ignored — did you mean Width?',
    ]);
  });
});

describe('the JSON Schema of job files', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(jobJsonSchema());

  it('accepts every job of the repository and every guide example', () => {
    const repo = join(import.meta.dirname, '..');
    const jobs = [join(repo, 'examples/hema/job.json')];
    for (const f of jobs) expect(validate(JSON.parse(readFileSync(f, 'utf8'))), JSON.stringify(validate.errors)).toBe(true);
    for (const ex of guideExamples()) {
      const job = { InputConfig: readValue(ex.input ?? DEFAULT_INPUT()), EditingConfig: readValue(ex.editing), OutputConfig: SMALL };
      expect(validate(job), `${ex.name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('rejects what the parser rejects, at the same place', () => {
    const bad: [object, string][] = [
      [{ InputConfig: { MediaArray: [] } }, '/InputConfig/MediaArray'],
      [{ InputConfig: { MediaArray: ['a.mp4'] }, OutputConfig: { Count: 0 } }, '/OutputConfig/Count'],
      [{ InputConfig: { MediaArray: ['a.mp4'] }, OutputConfig: { Width: 100000 } }, '/OutputConfig/Width'],
      [
        { InputConfig: { MediaArray: ['a.mp4'] }, EditingConfig: { ProcessConfig: { TransitionList: ['nope'] } } },
        '/EditingConfig/ProcessConfig/TransitionList/0',
      ],
      [
        { InputConfig: { MediaArray: ['a.mp4'] }, EditingConfig: { SpeechConfig: { Voice: 'zhiru,robot' } } },
        '/EditingConfig/SpeechConfig/Voice',
      ],
      [
        { InputConfig: { MediaArray: ['a.mp4'] }, EditingConfig: { ProcessConfig: { AllowTransition: 'maybe' } } },
        '/EditingConfig/ProcessConfig/AllowTransition',
      ],
    ];
    for (const [job, where] of bad) {
      expect(() => parseJob(job as never), JSON.stringify(job)).toThrow();
      expect(validate(job), JSON.stringify(job)).toBe(false);
      expect(validate.errors!.map((e) => e.instancePath)).toContain(where);
    }
    // Names are case-insensitive, numbers may be strings: as the parser takes them.
    const lenient = {
      InputConfig: { MediaArray: ['a.mp4'] },
      EditingConfig: { ProcessConfig: { TransitionList: 'DreamyZoom,Fade', TransitionDuration: '0.4' } },
    };
    expect(validate(lenient), JSON.stringify(validate.errors)).toBe(true);
    parseJob(lenient);
  });

  it('is published by "reelsmith schema" and describes the main fields with their catalogues', async () => {
    const r = await cli(['schema']);
    expect(r.exitCode).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const voice = s.properties.EditingConfig.anyOf[0].properties.SpeechConfig.properties.Voice;
    expect(voice.description).toMatch(/reelsmith voices/);
    expect(voice.anyOf[0].enum).toContain('zhiru');
    const transitions = s.properties.EditingConfig.anyOf[0].properties.ProcessConfig.properties.TransitionList;
    expect(JSON.stringify(transitions)).toContain('"dreamyzoom"');
  });
});

/** A config's value as the job reader reads it (comments, slips and all). */
const readValue = (text: string | undefined): unknown => (text ? readJob(text).value : {});

describe('a first job from a folder of clips', () => {
  /** Three scene folders of generated clips, a script of three paragraphs, a music folder. */
  async function footage(root: string, withScript = true) {
    const scenes = ['01 opening', '02 inside', '03 closing'];
    for (const [i, scene] of scenes.entries()) {
      mkdirSync(join(root, scene), { recursive: true });
      await clip(join(root, scene, `take${i + 1}.mp4`), 3);
    }
    copyFileSync(media('fresh_fruit.png'), join(root, '02 inside', 'fruit.png'));
    mkdirSync(join(root, 'music'));
    copyFileSync(media('relaxing_theme.mp3'), join(root, 'music', 'theme.mp3'));
    if (withScript) writeFileSync(join(root, 'script.txt'), 'The doors open at nine.\n\nFresh fruit inside.\n\nSee you there.\n');
    return scenes;
  }

  it('"reelsmith new" writes a commented job that is valid: a group per sub-folder, a paragraph per group, the music', async () => {
    const root = join(tempDir('rs-new-'), 'Spring sale');
    const scenes = await footage(root);
    const r = await cli(['new', root, '--count', '2', '--size', '360x640']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('3 groups: 01 opening (1), 02 inside (2), 03 closing (1)');
    const text = readFileSync(join(root, 'job.json'), 'utf8');
    expect(text).toMatch(/^\/\/ A reelsmith job/);
    const job = readJob(text).value as {
      InputConfig: {
        MediaGroupArray: { GroupName: string; MediaArray: string[]; SpeechTextArray: string[] }[];
        BackgroundMusicArray: string[];
      };
      OutputConfig: { Count: number; Width: number; Height: number };
    };
    expect(job.InputConfig.MediaGroupArray.map((g) => g.GroupName)).toEqual(scenes);
    expect(job.InputConfig.MediaGroupArray[1].MediaArray).toEqual(['02 inside/fruit.png', '02 inside/take2.mp4']);
    expect(job.InputConfig.MediaGroupArray.map((g) => g.SpeechTextArray)).toEqual([
      ['The doors open at nine.'],
      ['Fresh fruit inside.'],
      ['See you there.'],
    ]);
    expect(job.InputConfig.BackgroundMusicArray).toEqual(['music/theme.mp3']);
    expect(job.OutputConfig).toMatchObject({ Count: 2, Width: 360, Height: 640 });
    const v = await cli(['validate', join(root, 'job.json')]);
    expect(v.exitCode, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/valid \(Script, 2 videos of 360x640\)/);
    // An existing job file is kept unless --force.
    expect((await cli(['new', root])).exitCode).toBe(2);
  });

  it('"reelsmith produce DIR" without a job file makes one, says where, and renders it', async () => {
    const root = join(tempDir('rs-oneclick-'), 'clips');
    await footage(root);
    const out = join(tempDir('rs-oneclick-out-'), 'videos');
    const r = await cli(['produce', root, '--out', out, '--count', '2', '--size', '360x640', '--seed', '4']);
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toContain(`no job file in ${root}: one was made from the folder`);
    expect(r.stderr).toContain(`written to ${join(out, 'job.json')}`);
    expect(existsSync(join(out, 'job.json'))).toBe(true);
    for (const f of ['video_0.mp4', 'video_1.mp4']) {
      const info = await ffprobe(join(out, f));
      const v = info.streams.find((s) => s.codec_type === 'video')!;
      expect([v.width, v.height]).toEqual([360, 640]);
      expect(info.streams.some((s) => s.codec_type === 'audio')).toBe(true);
      // The clips are grey ramps and the fruit a photo: the picture is there, not black.
      expect(luma(await frameAt(join(out, f), 0.8))).toBeGreaterThan(30);
    }
    // The job it used, valid as written (paths relative to where it was written).
    const v = await cli(['validate', join(out, 'job.json')]);
    expect(v.exitCode, v.stderr).toBe(0);
  });

  it('a folder with no media is refused with the reason', async () => {
    const root = tempDir('rs-empty-');
    writeFileSync(join(root, 'notes.txt'), 'nothing to see');
    const r = await cli(['new', root]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`InvalidParameter: ${root} holds no video or image files`);
  });
});
