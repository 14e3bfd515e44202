import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { produce } from '../src/batch/produce.js';
import { parseJob } from '../src/job/parse.js';
import { meanVolume, media, tempDir, useTempHome, testHome } from './helpers.js';

beforeAll(() => {
  useTempHome();
});

async function ebur128(file: string): Promise<{ I: number; TP: number }> {
  const { stderr } = await execa('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-vn', '-af', 'ebur128=peak=true', '-f', 'null', '-']);
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  return { I: Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)![1]), TP: Number(/Peak:\s+(-?[\d.]+) dBFS/.exec(summary)![1]) };
}

async function render(input: object, editing: object = {}) {
  const out = tempDir();
  const parsed = parseJob({
    InputConfig: input,
    EditingConfig: editing,
    OutputConfig: { MediaURL: 's_{index}.mp4', Width: 180, Height: 320 },
  });
  const m = await produce(parsed, { home: testHome(), outDir: out, seed: 1 });
  expect(m.EditingBatchJob.SubJobList[0].Status).toBe('Success');
  return { file: join(out, 's_0.mp4'), timeline: m.Plans[0].timeline! };
}

const groups = (...parts: ({ text: string } | { silent: number })[]) =>
  parts.map((p, i) => ({
    GroupName: `g${i}`,
    MediaArray: [media('portrait_tone.mp4')],
    ...('text' in p ? { SpeechTextArray: [p.text] } : { Duration: p.silent }),
  }));

describe('the mix', () => {
  it('is loudness-normalised to -16 LUFS (±1 LU) with true peak ≤ -1.5 dBTP, whatever is in it', async () => {
    const cases = [
      // voice and music
      {
        input: {
          MediaGroupArray: groups({ text: 'Snacks and drinks are quite cheap here today.' }, { silent: 2 }),
          BackgroundMusic: media('relaxing_theme.mp3'),
        },
      },
      // a quiet voice alone
      { input: { MediaGroupArray: groups({ text: 'Everyone should come and have a look.' }) }, editing: { SpeechConfig: { Volume: 0.2 } } },
      // loud material audio and music, no voice
      {
        input: { MediaGroupArray: groups({ silent: 4 }), BackgroundMusic: media('relaxing_theme.mp3') },
        editing: { MediaConfig: { Volume: 3 } },
      },
    ];
    for (const c of cases) {
      const { file } = await render(c.input, c.editing);
      const { I, TP } = await ebur128(file);
      expect(Math.abs(I + 16), `integrated ${I} LUFS`).toBeLessThanOrEqual(1);
      expect(TP, `true peak ${TP} dBTP`).toBeLessThanOrEqual(-1.5);
    }
  });

  it('ducks the music at least 10 dB under the voice and brings it back up in pauses', async () => {
    // The voice is muted (Volume 0) so that the output is the music alone; the ducking still
    // follows the speech times.
    const { file, timeline } = await render(
      {
        MediaGroupArray: groups(
          { silent: 2 },
          { text: 'The first part of the voice over is here.' },
          { silent: 2.5 },
          { text: 'And then the second part follows.' },
        ),
        BackgroundMusic: media('relaxing_theme.mp3'),
      },
      { SpeechConfig: { Volume: 0 }, BackgroundMusicConfig: { Volume: 0.5 } },
    );
    const segs = timeline.voice!.segments;
    const first = segs[0];
    const last = segs[segs.length - 1];
    const pauseStart = first.start + first.duration;
    const inSpeech1 = await meanVolume(file, first.start + 0.4, Math.min(1, first.duration - 0.8));
    const inSpeech2 = await meanVolume(file, last.start + 0.4, Math.min(1, last.duration - 0.8));
    const before = await meanVolume(file, 0.4, 1.2);
    const between = await meanVolume(file, pauseStart + 0.6, 1.2);
    expect(before - inSpeech1).toBeGreaterThanOrEqual(10);
    expect(between - inSpeech1).toBeGreaterThanOrEqual(10);
    expect(between - inSpeech2).toBeGreaterThanOrEqual(10);
  });
});
