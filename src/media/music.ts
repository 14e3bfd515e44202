/**
 * The music library, by IMS style (bgm-relaxing, bgm-upbeat, …). Each style starts with two
 * generated, loopable starter tracks (soft chord pads, a bass and an arpeggio, synthesized by
 * FFmpeg from a chord progression — no recordings ship with reelsmith); users add their own
 * tracks with `reelsmith music add FILE --style S`. Files live in $REELSMITH_HOME/music/<style>/.
 */
import { copyFile, mkdir, readdir, rename } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { ReelsmithError } from '../errors.js';
import { MUSIC_STYLES } from '../job/catalogue.js';
import { probe } from './probe.js';
import { runTool } from '../util/tool.js';

interface Generator {
  /** Seconds per bar. */
  bar: number;
  /** Root frequency (Hz). */
  root: number;
  /** Four chords: semitone offset of each chord's root and whether it is minor. */
  chords: [number, boolean][];
  /** Arpeggio notes per bar (0 = none). */
  arp: number;
  /** Level of the second harmonic in the pad (brightness). */
  bright: number;
}

const I_V_vi_IV: [number, boolean][] = [
  [0, false],
  [7, false],
  [9, true],
  [5, false],
];
const vi_IV_I_V: [number, boolean][] = [
  [9, true],
  [5, false],
  [0, false],
  [7, false],
];
const i_VI_III_VII: [number, boolean][] = [
  [0, true],
  [8, false],
  [3, false],
  [10, false],
];
const I_vi_ii_V: [number, boolean][] = [
  [0, false],
  [9, true],
  [2, true],
  [7, false],
];
const pentatonic: [number, boolean][] = [
  [0, false],
  [2, false],
  [9, true],
  [7, false],
];

/** Two starters per style: tempo, key, progression and texture chosen to fit its mood. */
const STARTERS: Record<string, [Generator, Generator]> = {
  'bgm-beauty': [
    { bar: 2.4, root: 220, chords: I_V_vi_IV, arp: 8, bright: 0.25 },
    { bar: 2.2, root: 246.94, chords: I_vi_ii_V, arp: 6, bright: 0.3 },
  ],
  'bgm-chinese-style': [
    { bar: 3, root: 196, chords: pentatonic, arp: 6, bright: 0.15 },
    { bar: 2.6, root: 220, chords: pentatonic, arp: 4, bright: 0.2 },
  ],
  'bgm-cuisine': [
    { bar: 2, root: 261.63, chords: I_V_vi_IV, arp: 8, bright: 0.3 },
    { bar: 2.2, root: 233.08, chords: I_vi_ii_V, arp: 8, bright: 0.25 },
  ],
  'bgm-dynamic': [
    { bar: 1.6, root: 196, chords: i_VI_III_VII, arp: 16, bright: 0.45 },
    { bar: 1.5, root: 207.65, chords: vi_IV_I_V, arp: 16, bright: 0.4 },
  ],
  'bgm-quirky': [
    { bar: 1.8, root: 293.66, chords: I_vi_ii_V, arp: 12, bright: 0.5 },
    {
      bar: 2,
      root: 277.18,
      chords: [
        [0, false],
        [1, false],
        [5, true],
        [6, false],
      ],
      arp: 6,
      bright: 0.45,
    },
  ],
  'bgm-relaxing': [
    { bar: 3.2, root: 174.61, chords: I_V_vi_IV, arp: 4, bright: 0.1 },
    { bar: 3.6, root: 196, chords: vi_IV_I_V, arp: 0, bright: 0.1 },
  ],
  'bgm-romantic': [
    { bar: 3, root: 220, chords: vi_IV_I_V, arp: 6, bright: 0.15 },
    { bar: 2.8, root: 185, chords: I_vi_ii_V, arp: 4, bright: 0.2 },
  ],
  'bgm-upbeat': [
    { bar: 1.6, root: 261.63, chords: I_V_vi_IV, arp: 16, bright: 0.35 },
    {
      bar: 1.7,
      root: 246.94,
      chords: [
        [0, false],
        [5, false],
        [7, false],
        [5, false],
      ],
      arp: 8,
      bright: 0.4,
    },
  ],
};

const semis = (n: number) => 2 ** (n / 12);

/** An aevalsrc expression for a 4-bar loop: pad (root, third, fifth), bass and arpeggio. */
function expression(g: Generator): string {
  const L = g.bar * 4;
  const pick = (values: number[]) =>
    values.reduceRight((acc, v, i) => (i === values.length - 1 ? v.toFixed(4) : `if(eq(ld(0),${i}),${v.toFixed(4)},${acc})`), '');
  const tones = [0, 1, 2].map((k) => pick(g.chords.map(([r, minor]) => g.root * semis(r + [0, minor ? 3 : 4, 7][k]))));
  const tb = `mod(t,${g.bar})`;
  // Envelopes reach zero where the chord changes (no clicks), swelling in and out of each bar.
  const env = `min(1,${tb}/0.3)*min(1,(${g.bar}-${tb})/0.3)*(1-0.25*${tb}/${g.bar})`;
  const pad = tones.map((f) => `(sin(2*PI*${f}*t)+${g.bright}*sin(4*PI*${f}*t))`).join('+');
  const bass = `sin(PI*${tones[0]}*t)`;
  const step = g.bar / (g.arp || 1);
  const x = `mod(${tb},${step})`;
  // Plucked notes with 10 ms attack and release, so that note changes do not click.
  const arp = g.arp
    ? `+0.16*min(1,${x}/0.01)*min(1,(${step}-${x})/0.01)*exp(-7*${x})*sin(4*PI*if(eq(mod(floor(${tb}/${step}),3),0),${tones[0]},if(eq(mod(floor(${tb}/${step}),3),1),${tones[1]},${tones[2]}))*t)`
    : '';
  return `st(0,floor(mod(t,${L})/${g.bar}));0.07*(${pad})*${env}+0.14*${bass}*${env}${arp}`;
}

export class MusicLibrary {
  constructor(private readonly dir: string) {}

  private styleDir(style: string) {
    if (!(MUSIC_STYLES as readonly string[]).includes(style))
      throw new ReelsmithError('InvalidParameter', `unknown music style "${style}"; valid: ${MUSIC_STYLES.join(', ')}`, 'style');
    return join(this.dir, style);
  }

  /** Generates the style's starter tracks if they are not there yet. */
  async ensureStarters(style: string): Promise<void> {
    const dir = this.styleDir(style);
    await mkdir(dir, { recursive: true });
    for (const [i, g] of STARTERS[style].entries()) {
      const file = join(dir, `starter-${i + 1}.m4a`);
      if (existsSync(file)) continue;
      const seconds = g.bar * 4 * Math.ceil(24 / (g.bar * 4));
      const tmp = join(dir, `.starter-${i + 1}.${process.pid}.m4a`);
      await runTool('ffmpeg', [
        '-v',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        `aevalsrc=exprs='${expression(g)}':s=22050:d=${seconds}`,
        '-ac',
        '2',
        '-ar',
        '44100',
        '-c:a',
        'aac',
        '-b:a',
        '128k',
        tmp,
      ]);
      await rename(tmp, file);
    }
  }

  async tracks(style: string): Promise<string[]> {
    await this.ensureStarters(style);
    const dir = this.styleDir(style);
    return (await readdir(dir))
      .filter((f) => !f.startsWith('.'))
      .sort()
      .map((f) => join(dir, f));
  }

  async add(file: string, style: string): Promise<string> {
    const info = await probe(file, basename(file));
    if (!info.hasAudio) throw new ReelsmithError('InvalidMaterial.Unreadable', `${basename(file)} has no audio`);
    const dir = this.styleDir(style);
    await mkdir(dir, { recursive: true });
    const target = join(dir, `${basename(file, extname(file)).replace(/[^\w.-]+/g, '_')}${extname(file).toLowerCase()}`);
    await copyFile(file, `${target}.tmp`);
    await rename(`${target}.tmp`, target);
    return target;
  }
}
