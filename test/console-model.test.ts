/**
 * The console's job builder logic (console/src/job-model.ts): the form is a lens on the IMS job, so
 * the job → form → job round trip is lossless for every example job in the repo, and editing one
 * field of the form changes that field of the job and nothing else.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { emptyJob, fieldOf, type ImsJob, jobFromJson, readForm, stickerBox, toSubmission, writeForm } from '../console/src/job-model.js';

const root = join(import.meta.dirname, '..');
const guide = join(root, 'test', 'guide');

/** Every example job: the repo's example, and each of the IMS guide's blocks as a job. */
function examples(): [string, ImsJob][] {
  const list: [string, ImsJob][] = [
    ['examples/hema/job.json', jobFromJson(JSON.parse(readFileSync(join(root, 'examples/hema/job.json'), 'utf8')))],
  ];
  for (const f of readdirSync(guide).filter((x) => x.endsWith('.jsonc'))) {
    const block = parse(readFileSync(join(guide, f), 'utf8')) as Record<string, never>;
    const base = emptyJob();
    list.push([`test/guide/${f}`, f.includes('.input.') ? { ...base, InputConfig: block } : { ...base, EditingConfig: block }]);
  }
  list.push(["the console's new job", emptyJob()]);
  return list;
}

describe('the console job model', () => {
  it.each(examples())("%s: job → form → job is lossless, and so is the API's string form", (_name, job) => {
    expect(writeForm(job, readForm(job))).toEqual(job);
    expect(jobFromJson(toSubmission(job))).toEqual(job);
  });

  it('an edit changes its field only: other keys, spellings and scene settings stay', () => {
    const job = jobFromJson({
      InputConfig: {
        MediaGroupArray: [{ GroupName: 'a', MediaArray: ['x.mp4'], Duration: 3, SplitMode: 'NoSplit' }],
        SpeechTextArray: ['hi'],
      },
      EditingConfig: { ProcessConfig: { AllowTransition: 'true', TransitionList: ['fade'] }, SpeechConfig: { Voice: 'cally', Volume: 2 } },
      OutputConfig: { MediaURL: 'o_{index}.mp4', Count: 1, Width: 720, Height: 1280, Video: { Crf: 23 } },
    });
    const form = readForm(job);
    expect(form.transitions).toBe(true);
    const more = writeForm(job, { ...form, count: 5 });
    expect(more.OutputConfig).toEqual({ ...job.OutputConfig, Count: 5 });
    expect(more.InputConfig).toBe(job.InputConfig);
    expect(more.EditingConfig).toBe(job.EditingConfig);
    const renamed = writeForm(job, { ...form, scenes: [{ ...form.scenes[0], name: 'opening', texts: ['one', 'two'] }] });
    expect(renamed.InputConfig.MediaGroupArray).toEqual([
      { GroupName: 'opening', MediaArray: ['x.mp4'], Duration: 3, SplitMode: 'NoSplit', SpeechTextArray: ['one', 'two'] },
    ]);
    const voiced = writeForm(job, { ...form, voice: 'zhiqi', captionIn: 'fade_in' });
    expect(voiced.EditingConfig).toEqual({
      ProcessConfig: { AllowTransition: 'true', TransitionList: ['fade'] },
      SpeechConfig: { Voice: 'zhiqi', Volume: 2, AsrConfig: { AaiMotionInEffect: 'fade_in' } },
    });
    // Smart mix: the groups go, the materials are the MediaArray.
    const smart = writeForm(job, { ...form, mode: 'Smart_Mix', media: ['x.mp4', 'y.png'] });
    expect(smart.InputConfig).toEqual({ SpeechTextArray: ['hi'], MediaArray: ['x.mp4', 'y.png'] });
    expect(readForm(smart).mode).toBe('Smart_Mix');
  });

  it('stickers and in/out points: an edit rewrites only what changed, a sticker given in pixels stays in pixels', () => {
    const job = jobFromJson({
      InputConfig: {
        MediaArray: ['a.mp4'],
        StickerArray: [
          { MediaURL: 'logo.png', X: 10, Y: 100, Width: 300, Height: 300 },
          { MediaId: 'f'.repeat(32), X: 0.5, Y: 0.5, Width: 0.2, Height: 0.1, Opacity: 0.6, DyncFrames: 25 },
        ],
      },
      EditingConfig: {
        MediaConfig: { Volume: 0, MediaMetaDataArray: [{ Media: 'a.mp4', GroupName: 'g', TimeRangeList: [{ In: 5, Out: 10 }] }] },
      },
      OutputConfig: { Width: 1080, Height: 1920 },
    });
    const form = readForm(job);
    expect(stickerBox(form.stickers[0], 1080, 1920)).toEqual({ x: 10 / 1080, y: 100 / 1920, width: 300 / 1080, height: 300 / 1920 });
    const moved = writeForm(job, { ...form, stickers: [form.stickers[0], { ...form.stickers[1], x: 0.3 }] });
    const list = (moved.InputConfig.StickerArray as object[]) ?? [];
    expect(list[0]).toEqual({ MediaURL: 'logo.png', X: 10, Y: 100, Width: 300, Height: 300 });
    expect(list[1]).toEqual({ MediaId: 'f'.repeat(32), X: 0.3, Y: 0.5, Width: 0.2, Height: 0.1, Opacity: 0.6, DyncFrames: 25 });
    const cut = writeForm(job, { ...form, cuts: [{ ...form.cuts[0], ranges: [{ in: 1, out: 2 }] }] });
    expect(cut.EditingConfig.MediaConfig).toEqual({
      Volume: 0,
      MediaMetaDataArray: [{ Media: 'a.mp4', GroupName: 'g', TimeRangeList: [{ In: 1, Out: 2 }] }],
    });
    const uncut = writeForm(job, { ...form, cuts: [] });
    expect(uncut.EditingConfig.MediaConfig).toEqual({ Volume: 0 });
  });

  it('sub-headings: one edited, the others kept as written', () => {
    const job = jobFromJson({
      InputConfig: {
        MediaArray: ['a.mp4'],
        SubHeadingArray: [
          { Level: 1, TitleArray: ['one'] },
          { Level: '2', TitleArray: ['two'], Extra: true },
        ],
      },
      EditingConfig: {},
      OutputConfig: {},
    });
    const form = readForm(job);
    expect(form.subHeadings).toEqual([
      { level: 1, titles: ['one'] },
      { level: 2, titles: ['two'] },
    ]);
    const edited = writeForm(job, { ...form, subHeadings: [{ level: 3, titles: ['uno'] }, form.subHeadings[1]] });
    expect(edited.InputConfig.SubHeadingArray).toEqual([
      { Level: 3, TitleArray: ['uno'] },
      { Level: '2', TitleArray: ['two'], Extra: true },
    ]);
  });

  it("shows the API's field errors next to the fields they name", () => {
    expect(fieldOf('InputConfig.MediaGroupArray[1].MediaArray[0]')).toBe('scene-1-media');
    expect(fieldOf('InputConfig.MediaGroupArray[0].SpeechTextArray')).toBe('scene-0-texts');
    expect(fieldOf('OutputConfig.Width')).toBe('width');
    expect(fieldOf('EditingConfig.SpeechConfig.Voice')).toBe('voice');
    expect(fieldOf('EditingConfig.ProcessConfig.TransitionDuration')).toBeUndefined();
  });
});
