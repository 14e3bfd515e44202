/**
 * A first job from a folder of clips (`reelsmith new DIR`, and `reelsmith produce DIR` without a
 * job file): one group per sub-folder in name order (the folder itself when it has none), the
 * media files of each sorted into it, the voice-over from a text file (one paragraph per group, or
 * one voice-over for the whole video), music from a `music/` sub-folder, and the main options
 * written out with comments, so that a person sees what can be changed. Material paths are
 * relative to the folder the job file goes to.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, relative, resolve } from 'node:path';
import { ReelsmithError } from '../errors.js';

const VIDEO = new Set(['.mp4', '.mov', '.m4v', '.webm', '.mkv', '.avi', '.3gp']);
const IMAGE = new Set(['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.gif']);
const AUDIO = new Set(['.mp3', '.m4a', '.aac', '.wav', '.ogg', '.oga', '.flac', '.opus']);
/** Text files read as the voice-over when no script is named. */
const SCRIPT_NAMES = ['script.txt', 'voiceover.txt', 'speech.txt'];

export interface FolderJobOptions {
  /** A text file with the voice-over: one paragraph per group, or one for the whole video. */
  script?: string;
  count?: number;
  width?: number;
  height?: number;
  /** The folder the job file goes to (material paths are relative to it); default the folder itself. */
  jobDir?: string;
}

export interface FolderJob {
  /** The job file's text: commented JSONC, valid as it is. */
  text: string;
  /** What was found, for the user. */
  summary: string[];
}

const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' });
const kindOf = (f: string) => {
  const e = extname(f).toLowerCase();
  return VIDEO.has(e) ? 'video' : IMAGE.has(e) ? 'image' : AUDIO.has(e) ? 'audio' : undefined;
};

async function entries(dir: string) {
  const list = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    throw new ReelsmithError('InvalidParameter', `cannot read folder ${dir}: ${err.code ?? err.message}`);
  });
  const visible = list.filter((e) => !e.name.startsWith('.')).sort((a, b) => byName(a.name, b.name));
  return {
    dirs: visible.filter((e) => e.isDirectory()).map((e) => e.name),
    files: visible.filter((e) => e.isFile()).map((e) => e.name),
  };
}

/** Paragraphs of a text: blocks separated by blank lines, each on one line. */
const paragraphs = (text: string) =>
  text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s*\n\s*/g, ' ').trim())
    .filter(Boolean);

/** A JSON value written on one line (strings escaped as JSON). */
const j = (v: unknown) => JSON.stringify(v);

export async function jobFromFolder(dir: string, o: FolderJobOptions = {}): Promise<FolderJob> {
  const root = resolve(dir);
  const st = await stat(root).catch(() => undefined);
  if (!st?.isDirectory()) throw new ReelsmithError('InvalidParameter', `${root} is not a folder`);
  const top = await entries(root);
  const rel = (p: string) =>
    relative(resolve(o.jobDir ?? root), p)
      .split('\\')
      .join('/');
  const musicDir = top.dirs.find((d) => d.toLowerCase() === 'music');
  const groups: { name: string; media: string[] }[] = [];
  for (const d of top.dirs) {
    if (d === musicDir) continue;
    const files = (await entries(join(root, d))).files.filter((f) => {
      const k = kindOf(f);
      return k === 'video' || k === 'image';
    });
    if (files.length > 0) groups.push({ name: d.slice(0, 50), media: files.map((f) => rel(join(root, d, f))) });
  }
  const topMedia = top.files.filter((f) => kindOf(f) === 'video' || kindOf(f) === 'image').map((f) => rel(join(root, f)));
  if (groups.length === 0 && topMedia.length > 0) groups.push({ name: basename(root).slice(0, 50) || 'clips', media: topMedia });
  else if (topMedia.length > 0) groups.unshift({ name: 'opening', media: topMedia });
  if (groups.length === 0)
    throw new ReelsmithError(
      'InvalidParameter',
      `${root} holds no video or image files (looked for ${[...VIDEO, ...IMAGE].join(' ')} in it and in its sub-folders)`,
    );
  const music = [
    ...(musicDir
      ? (await entries(join(root, musicDir))).files.filter((f) => kindOf(f) === 'audio').map((f) => join(root, musicDir, f))
      : []),
    ...top.files.filter((f) => kindOf(f) === 'audio').map((f) => join(root, f)),
  ].map(rel);

  // The voice-over: the named script, or a script file in the folder.
  let scriptFile = o.script ? resolve(o.script) : undefined;
  if (!scriptFile) {
    const found = top.files.find((f) => SCRIPT_NAMES.includes(f.toLowerCase()));
    if (found) scriptFile = join(root, found);
  }
  let texts: string[] = [];
  if (scriptFile) {
    const text = await readFile(scriptFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new ReelsmithError('InvalidParameter', `cannot read the script ${scriptFile}: ${err.code ?? err.message}`);
    });
    texts = paragraphs(text);
    if (texts.length === 0) throw new ReelsmithError('InvalidParameter', `the script ${scriptFile} is empty`);
  }
  const perGroup = texts.length > 1 && texts.length === groups.length;

  const count = o.count ?? 3;
  const width = o.width ?? 1080;
  const height = o.height ?? 1920;
  const title = basename(root).replace(/[-_]+/g, ' ').trim();
  const lines: string[] = [];
  const say = (s: string) => lines.push(s);
  say('// A reelsmith job (the IMS SubmitBatchMediaProducingJob format), written by "reelsmith new".');
  say('// Comments and trailing commas are fine. Check it with "reelsmith validate", render it with');
  say('// "reelsmith produce <this file> --out <folder>". Every name below has a catalogue: "reelsmith');
  say('// voices", "reelsmith transitions", "reelsmith effects"; "reelsmith schema" gives editors the rest.');
  say('{');
  say('  "InputConfig": {');
  say(`    // Script mode: one group per scene, in order; each video takes materials from every group.`);
  say('    "MediaGroupArray": [');
  groups.forEach((g, i) => {
    say('      {');
    say(`        "GroupName": ${j(g.name)},`);
    say(`        "MediaArray": [${g.media.map(j).join(', ')}],`);
    if (perGroup) say(`        "SpeechTextArray": [${j(texts[i])}], // said while this group's clips play`);
    say(`      }${i < groups.length - 1 ? ',' : ''}`);
  });
  say('    ],');
  if (texts.length > 0 && !perGroup) say(`    "SpeechText": ${j(texts.join(' '))}, // the voice-over of every video`);
  else if (texts.length === 0)
    say('    // "SpeechText": "A voice-over for every video; captions follow it.", // or SpeechTextArray to pick from');
  say(`    "TitleArray": [${j(title)}], // one is picked per video`);
  if (music.length > 0) say(`    "BackgroundMusicArray": [${music.map(j).join(', ')}],`);
  else say('    // "BackgroundMusicArray": ["music/theme.mp3"], // else a track of BackgroundMusicConfig.Style');
  say('  },');
  say('  "EditingConfig": {');
  say('    "MediaConfig": { "Volume": 0 }, // the clips\' own sound: 0 (muted) to 10');
  say('    "SpeechConfig": {');
  // Voices of the script's language: Mandarin for Chinese text, English otherwise.
  const chinese = /[\u3400-\u9fff]/.test(texts.join(''));
  say(`      "Voice": ${j(chinese ? 'zhiru,zhilun' : 'kelly,stanley')}, // voices to pick from ("reelsmith voices")`);
  say('      "SpeechRate": 0, // -500 (slower) to 500 (faster)');
  say('      "AsrConfig": { "AaiMotionInEffect": "fade_in", "Alignment": "BottomCenter" }, // captions');
  say('    },');
  say('    "BackgroundMusicConfig": { "Volume": 0.2 }, // music under the voice');
  say('    "BackgroundImageConfig": { "SubType": "Blur" }, // fill for clips of another shape: Blur, Color, Image');
  say('    "ProcessConfig": {');
  say('      "SingleShotDuration": 3, // seconds per shot');
  say('      "AllowTransition": true,');
  say('      "TransitionDuration": 0.5,');
  say('      // "TransitionList": ["fade", "wiperight", "circleopen"], // default: all ("reelsmith transitions")');
  say('      "AllowVfxEffect": false, // true: effects on shots ("reelsmith effects")');
  say('      "AllowFilter": false, // true: one colour look per video');
  say('    },');
  say('  },');
  say('  "OutputConfig": {');
  say('    "MediaURL": "video_{index}.mp4", // {index}: the video\'s number');
  say(`    "Count": ${count}, // how many distinct videos`);
  say(`    "Width": ${width},`);
  say(`    "Height": ${height},`);
  say('    "MaxDuration": 60, // seconds at most');
  say('  },');
  say('}');
  const summary = [
    `${groups.length} group${groups.length > 1 ? 's' : ''}: ${groups.map((g) => `${g.name} (${g.media.length})`).join(', ')}`,
    texts.length === 0
      ? 'no voice-over (no script given or found: add SpeechText, or --script FILE)'
      : perGroup
        ? `voice-over: one paragraph per group, from ${scriptFile}`
        : `voice-over: ${texts.length} paragraph${texts.length > 1 ? 's' : ''} as one, from ${scriptFile}`,
    music.length > 0 ? `music: ${music.join(', ')}` : 'music: none found (a music/ sub-folder is read)',
  ];
  return { text: `${lines.join('\n')}\n`, summary };
}
