import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { describe, expect, it } from 'vitest';
import { fontFamily, KAI_FAMILY, SANS_FAMILY, SERIF_FAMILY } from '../src/captions/fonts.js';
import { JobValidationError } from '../src/errors.js';
import { produce } from '../src/batch/produce.js';
import { parseJob } from '../src/job/parse.js';
import { frameAt, frameDiff, media, tempDir, useTempHome, testHome } from './helpers.js';

const IMS_FONTS = [
  'SimSun',
  'KaiTi',
  'Microsoft YaHei',
  'AlibabaPuHuiTi',
  'SiYuan Heiti',
  'SiYuan SimSun',
  'WenQuanYi Zen Hei Mono',
  'WenQuanYi MicroHei',
  'FZKai-Z03S',
  'FZShuSong-Z01S',
  'FZHei-B01S',
  'Yuanti SC',
  'Roboto',
  'Roboto Bold',
];

/** Renders one line with libass on black and returns its lit pixels (1) as a bitmap. */
async function glyphs(dir: string, family: string, text: string): Promise<Uint8Array> {
  const ass = join(dir, `${Math.random().toString(36).slice(2)}.ass`);
  writeFileSync(
    ass,
    [
      '[Script Info]',
      'ScriptType: v4.00+',
      'PlayResX: 400',
      'PlayResY: 100',
      '',
      '[V4+ Styles]',
      'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
      `Style: T,${family},60,&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,0,0,5,0,0,0,1`,
      '',
      '[Events]',
      'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
      `Dialogue: 0,0:00:00.00,0:00:01.00,T,,0,0,0,,{\\pos(200,50)}${text}`,
      '',
    ].join('\n'),
  );
  const { stdout } = await execa(
    'ffmpeg',
    [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=black:s=400x100',
      '-vf',
      `ass=filename=${ass}`,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      '-',
    ],
    { encoding: 'buffer' },
  );
  return Uint8Array.from(Buffer.from(stdout as unknown as Uint8Array), (v) => (v > 128 ? 1 : 0));
}

describe('fonts', () => {
  it('maps IMS font names to installed fonts of the same kind', () => {
    expect(fontFamily('SimSun')).toBe(SERIF_FAMILY);
    expect(fontFamily('KaiTi')).toBe(KAI_FAMILY);
    expect(fontFamily('Microsoft YaHei')).toBe(SANS_FAMILY);
    expect(fontFamily('Roboto')).toBe(SANS_FAMILY);
  });

  it('never renders Chinese captions as empty boxes, whatever IMS font is named', async () => {
    const dir = tempDir();
    for (const name of IMS_FONTS) {
      const family = fontFamily(name);
      // Missing glyphs are all the same box: with real glyphs, the same characters in another
      // order give another picture, and different characters differ from each other.
      const a = await glyphs(dir, family, '盒马鲜生');
      const b = await glyphs(dir, family, '鲜生盒马');
      const ink = a.reduce((n, v) => n + v, 0);
      expect(ink, name).toBeGreaterThan(600);
      let diff = 0;
      for (let i = 0; i < a.length; i++) diff += a[i] ^ b[i];
      expect(diff, name).toBeGreaterThan(ink / 3);
    }
  });
});

describe('FontUrl', () => {
  const ukai = execaSync('fc-match', ['-f', '%{file}', 'AR PL UKai CN']).stdout;

  async function captionFrame(asr: object) {
    const out = tempDir();
    const m = await produce(
      parseJob({
        InputConfig: { MediaArray: [media('dark_portrait.mp4')], SpeechText: '盒马鲜生开业啦' },
        EditingConfig: { SpeechConfig: { AsrConfig: { FontColor: '#ffffff', FontSize: 40, Outline: 0, ...asr } } },
        OutputConfig: { MediaURL: 'f_{index}.mp4', Width: 360, Height: 640 },
      }),
      { home: testHome(), outDir: out, seed: 1 },
    );
    return { m, frame: m.EditingBatchJob.SubJobList[0].Status === 'Success' ? await frameAt(join(out, 'f_0.mp4'), 0.5) : undefined };
  }

  it('renders captions with the font file given by FontUrl', async () => {
    useTempHome();
    const plain = await captionFrame({ Font: 'Microsoft YaHei' });
    const custom = await captionFrame({ Font: 'Microsoft YaHei', FontUrl: `file://${ukai}` });
    expect(custom.m.Plans[0].timeline!.captions!.style.fontUrl).toBe(`file://${ukai}`);
    // the same text in another typeface: many caption pixels differ
    expect(frameDiff(plain.frame!, custom.frame!)).toBeGreaterThan(1);
  });

  it('refuses the job, naming the field and the file, when FontUrl is not a font', async () => {
    useTempHome();
    const err = await captionFrame({ FontUrl: media('broken.mp4') }).catch((e: JobValidationError) => e);
    expect(err).toBeInstanceOf(JobValidationError);
    expect((err as JobValidationError).issues).toEqual([
      { path: 'EditingConfig.SpeechConfig.AsrConfig.FontUrl', reason: expect.stringMatching(/broken\.mp4.*not a TTF\/OTF\/WOFF font/) },
    ]);
  });
});
