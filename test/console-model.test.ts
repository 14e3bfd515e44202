/**
 * The console's job builder logic (console/src/job-model.ts): the form is a lens on the IMS job, so
 * the job → form → job round trip is lossless for every example job in the repo, and editing one
 * field of the form changes that field of the job and nothing else.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { emptyJob, fieldOf, type ImsJob, jobFromJson, readForm, toSubmission, writeForm } from '../console/src/job-model.js';

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

  it("shows the API's field errors next to the fields they name", () => {
    expect(fieldOf('InputConfig.MediaGroupArray[1].MediaArray[0]')).toBe('scene-1-media');
    expect(fieldOf('InputConfig.MediaGroupArray[0].SpeechTextArray')).toBe('scene-0-texts');
    expect(fieldOf('OutputConfig.Width')).toBe('width');
    expect(fieldOf('EditingConfig.SpeechConfig.Voice')).toBe('voice');
    expect(fieldOf('EditingConfig.ProcessConfig.TransitionDuration')).toBeUndefined();
  });
});
