import { describe, expect, it } from 'vitest';
import { TRANSITIONS } from '../src/job/catalogue.js';
import { parseJob } from '../src/job/parse.js';
import { issuesOf } from './helpers.js';

const input = { MediaGroupArray: [{ GroupName: 'g1', MediaArray: ['a.mp4', 'b.png'] }], SpeechTextArray: ['Hello there.'] };
const base = { InputConfig: input, OutputConfig: { MediaURL: 'out_{index}.mp4', Count: 2 } };

describe('job format', () => {
  it('accepts the four parameters as JSON strings, as IMS sends them', () => {
    const { job, raw } = parseJob({
      InputConfig: JSON.stringify(input),
      EditingConfig: JSON.stringify({ MediaConfig: { Volume: '0.5' } }),
      OutputConfig: JSON.stringify({ MediaURL: 'x_{index}.mp4', Count: '3', Width: '360', Height: '640' }),
      UserData: JSON.stringify({ NotifyAddress: 'https://example.com/cb' }),
    });
    expect(job.type).toBe('Script');
    expect(job.scriptMode).toBe('global');
    expect(job.mediaVolume).toBe(0.5);
    expect(job.output).toMatchObject({ count: 3, width: 360, height: 640 });
    expect(JSON.parse(raw.UserData!)).toEqual({ NotifyAddress: 'https://example.com/cb' });
  });

  it('fills the documented defaults', () => {
    const { job } = parseJob(base);
    expect(job.output).toMatchObject({ width: 1080, height: 1920, crf: 23, fps: 30 });
    expect(job.mediaVolume).toBe(0);
    expect(job.process).toMatchObject({ singleShotDuration: 3, transitionDuration: 0.5, uniformTransition: true, alignment: 'AutoSpeed' });
    expect(job.background).toEqual({ type: 'Blur', radius: 0.1 });
  });

  it('ignores unknown keys with a warning naming their path', () => {
    const { warnings } = parseJob({ ...base, EditingConfig: { SpeechConfig: { Voice: 'zhiru', Colour: 'x' } }, Extra: 1 });
    expect(warnings).toContain('EditingConfig.SpeechConfig.Colour: unknown key ignored');
    expect(warnings).toContain('Extra: unknown key ignored');
  });

  it('names the JSON path and the reason of a bad time range', () => {
    const issues = issuesOf({
      ...base,
      EditingConfig: {
        MediaConfig: {
          MediaMetaDataArray: [
            {
              Media: 'a.mp4',
              TimeRangeList: [
                { In: 0, Out: 3 },
                { In: 15, Out: 12 },
              ],
            },
          ],
        },
      },
    });
    expect(issues).toContainEqual({
      path: 'EditingConfig.MediaConfig.MediaMetaDataArray[0].TimeRangeList[1]',
      reason: 'In 15 must be less than Out 12',
    });
  });

  it('reports every problem of a job at once', () => {
    const issues = issuesOf({
      InputConfig: {
        MediaGroupArray: [
          { GroupName: 'g', MediaArray: ['a.mp4'] },
          { GroupName: 'g', MediaArray: [] },
        ],
      },
      OutputConfig: { MediaURL: 'out.mp4', Count: 101, Width: 5000 },
      EditingConfig: { ProcessConfig: { TransitionList: ['fade', 'sparkles'] }, SpeechConfig: { Voice: 'zhiru,nobody', SpeechRate: 900 } },
      UserData: JSON.stringify({ x: 'y'.repeat(600) }),
    });
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'InputConfig.MediaGroupArray[1].MediaArray',
        'OutputConfig.Count',
        'OutputConfig.Width',
        'EditingConfig.SpeechConfig.SpeechRate',
      ]),
    );
    expect(issues.find((i) => i.path === 'OutputConfig.Count')!.reason).toBe('101 is out of range: must be from 1 to 100');
  });

  it('refuses a MediaURL without {index}, an unknown transition (listing valid ones), an unknown voice and oversized UserData', () => {
    const issues = issuesOf({
      ...base,
      OutputConfig: { MediaURL: 'out.mp4' },
      EditingConfig: { ProcessConfig: { TransitionList: ['fade', 'sparkles'] }, SpeechConfig: { Voice: 'zhiru,nobody' } },
      UserData: JSON.stringify({ x: 'y'.repeat(600) }),
    });
    expect(issues).toContainEqual({ path: 'OutputConfig.MediaURL', reason: 'must contain {index}' });
    const t = issues.find((i) => i.path === 'EditingConfig.ProcessConfig.TransitionList')!;
    expect(t.reason).toContain('unknown name "sparkles"');
    expect(t.reason).toContain('doomscreentransition_up');
    expect(issues.find((i) => i.path === 'EditingConfig.SpeechConfig.Voice')!.reason).toContain('"nobody"');
    expect(issues.find((i) => i.path === 'UserData')!.reason).toMatch(/512/);
  });

  it('refuses group voice-over mixed with a global voice-over text (IMS rule)', () => {
    const issues = issuesOf({
      InputConfig: { MediaGroupArray: [{ GroupName: 'g', MediaArray: ['a.mp4'], SpeechTextArray: ['hi'] }], SpeechText: 'global' },
      OutputConfig: { MediaURL: 'o_{index}.mp4' },
    });
    expect(issues[0].path).toBe('InputConfig.MediaGroupArray[0].SpeechTextArray');
  });

  it('refuses in/out points for a material that is not in the named group', () => {
    const issues = issuesOf({
      ...base,
      EditingConfig: { MediaConfig: { MediaMetaDataArray: [{ Media: 'zzz.mp4', GroupName: 'g1', TimeRangeList: [{ In: 0, Out: 1 }] }] } },
    });
    expect(issues[0]).toEqual({
      path: 'EditingConfig.MediaConfig.MediaMetaDataArray[0].Media',
      reason: '"zzz.mp4" is not in the MediaArray of group "g1"',
    });
  });

  it('refuses a config that is not JSON, naming it', () => {
    const issues = issuesOf({ InputConfig: '{"MediaArray": [', OutputConfig: '{}' });
    expect(issues[0].path).toBe('InputConfig');
    expect(issues[0].reason).toMatch(/^line 1, column 17: /);
  });

  it('matches transition names case-insensitively and expands random', () => {
    const { job } = parseJob({
      ...base,
      EditingConfig: { ProcessConfig: { AllowTransition: 'true', TransitionList: ['LinearBlur', 'BOWTIEVERTICAL'] } },
    });
    expect(job.process.transitions).toEqual(['linearblur', 'bowTieVertical']);
    const all = parseJob({ ...base, EditingConfig: { ProcessConfig: { TransitionList: 'random' } } });
    expect(all.job.process.transitions).toEqual([...TRANSITIONS]);
  });

  it('accepts VfxEffectProbability as 0–1 and as 0–100', () => {
    expect(parseJob({ ...base, EditingConfig: { ProcessConfig: { VfxEffectProbability: 1.0 } } }).job.process.vfxProbability).toBe(1);
    expect(parseJob({ ...base, EditingConfig: { ProcessConfig: { VfxEffectProbability: 40 } } }).job.process.vfxProbability).toBe(0.4);
  });

  it('detects the modes the IMS way', () => {
    expect(parseJob({ InputConfig: { MediaArray: ['a.mp4'] }, OutputConfig: {} }).job.type).toBe('Smart_Mix');
    const group = parseJob({
      InputConfig: { MediaGroupArray: [{ GroupName: 'g', MediaArray: ['a.mp4'], Duration: 3 }] },
      OutputConfig: {},
    });
    expect(group.job.scriptMode).toBe('group');
    const none = parseJob({ InputConfig: { MediaGroupArray: [{ GroupName: 'g', MediaArray: ['a.mp4'] }] }, OutputConfig: {} });
    expect(none.job.scriptMode).toBe('global');
  });
});

describe('the examples of the IMS advanced-configuration guide', () => {
  const ok = (EditingConfig: object, InputConfig: object = input) =>
    parseJob({ InputConfig, EditingConfig, OutputConfig: { MediaURL: 'o_{index}.mp4' } });

  it('style and volume of music and voice-over', () => {
    const { job } = ok({ SpeechConfig: { Style: 'Gentle', Gain: 1.1 }, BackgroundMusicConfig: { Style: 'bgm-relaxing', Gain: 0.2 } });
    expect(job.speech.style).toBe('Gentle');
    expect(job.speech.volume).toBeCloseTo(1.1);
    expect(job.musicConfig.styles).toEqual(['bgm-relaxing']);
  });

  it('timbre and speed of the voice-over', () => {
    expect(ok({ SpeechConfig: { Voice: 'zhiru' } }).job.speech.voices).toEqual(['zhiru']);
    expect(ok({ SpeechConfig: { Voice: 'zhiru,zhilun,zhibei_emo' } }).job.speech.voices).toEqual(['zhiru', 'zhilun', 'zhibei_emo']);
    expect(ok({ SpeechConfig: { SpeechRate: 100 } }).job.speech.rate).toBe(100);
  });

  it('caption effects, including the guide’s exit effect written into AaiMotionInEffect', () => {
    // The guide's example 1 repeats the AaiMotionInEffect key; as JSON the last value wins.
    const ex1 = ok({ SpeechConfig: { AsrConfig: { AaiMotionInEffect: 'wave_out' } } });
    expect(ex1.job.speech.captions.outEffects).toEqual(['wave_out']);
    expect(ex1.warnings.join()).toMatch(/taken as AaiMotionOutEffect/);
    const intended = ok({ SpeechConfig: { AsrConfig: { AaiMotionInEffect: 'wave_in,fade_in', AaiMotionOutEffect: 'wave_out' } } });
    expect(intended.job.speech.captions.inEffects).toEqual(['wave_in', 'fade_in']);
    const ex2 = ok({ SpeechConfig: { AsrConfig: { AaiMotionLoopEffect: 'normal_display,naughty_display' } } });
    expect(ex2.job.speech.captions.loopEffects).toEqual(['normal_display', 'naughty_display']);
  });

  it('in and out points in both modes', () => {
    const script = parseJob({
      InputConfig: {
        MediaGroupArray: [
          { GroupName: 'group1', MediaArray: ['****9d46c886b45481030f6e****', '****c886810b4549d4630f6e****'] },
          {
            GroupName: 'group2',
            MediaArray: [
              'http://test-bucket.oss-cn-shanghai.aliyuncs.com/test1.mp4',
              'http://test-bucket.oss-cn-shanghai.aliyuncs.com/test2.png',
              '****9d46c886b45481030f6e****',
            ],
          },
        ],
        Title: 'Hema Fresh in Huilongguan is now open',
        SpeechText: 'A new Hema Fresh just opened in a nearby mall.',
        BackgroundMusic: '****b4549d46c88681030f6e****',
      },
      EditingConfig: {
        MediaConfig: {
          Volume: 0,
          MediaMetaDataArray: [
            {
              Media: '****9d46c886b45481030f6e****',
              GroupName: 'group1',
              TimeRangeList: [
                { In: 5, Out: 10 },
                { In: 15, Out: 20 },
              ],
            },
            { Media: '****9d46c886b45481030f6e****', GroupName: 'group2', TimeRangeList: [{ In: 0, Out: 5 }] },
            {
              Media: 'http://test-bucket.oss-cn-shanghai.aliyuncs.com/test1.mp4',
              GroupName: 'group2',
              TimeRangeList: [{ In: 0, Out: 20 }],
            },
          ],
        },
      },
      OutputConfig: { MediaURL: 'o_{index}.mp4' },
    });
    expect(script.job.mediaRanges).toHaveLength(3);
    expect(script.job.titles).toEqual(['Hema Fresh in Huilongguan is now open']);
    expect(script.job.music).toEqual(['****b4549d46c88681030f6e****']);
    const smart = parseJob({
      InputConfig: {
        MediaArray: ['****9d46c886b45481030f6e****', 'http://test-bucket.oss-cn-shanghai.aliyuncs.com/test1.mp4'],
        SpeechText: 'Hi.',
      },
      EditingConfig: {
        MediaConfig: {
          MediaMetaDataArray: [
            {
              Media: '****9d46c886b45481030f6e****',
              TimeRangeList: [
                { In: 5, Out: 10 },
                { In: 15, Out: 20 },
              ],
            },
          ],
        },
      },
      OutputConfig: { MediaURL: 'o_{index}.mp4' },
    });
    expect(smart.job.type).toBe('Smart_Mix');
    expect(smart.job.mediaRanges[0].ranges).toEqual([
      { in: 5, out: 10 },
      { in: 15, out: 20 },
    ]);
  });

  it('effects, transitions (uniform and per cut) and backgrounds', () => {
    expect(ok({ ProcessConfig: { AllowVfxEffect: true, VfxEffectProbability: 1.0 } }).job.process).toMatchObject({
      allowVfx: true,
      vfxProbability: 1,
    });
    const t = ok({
      ProcessConfig: {
        AllowTransition: true,
        TransitionList: ['linearblur', 'colordistance', 'crosshatch', 'dreamyzoom', 'doomscreentransition_up'],
      },
    });
    expect(t.job.process.transitions).toHaveLength(5);
    expect(ok({ ProcessConfig: { AllowTransition: true, UseUniformTransition: false } }).job.process.uniformTransition).toBe(false);
    expect(parseJob({ InputConfig: { MediaArray: ['a.mp4'], BackgroundImage: 'bg.png' }, OutputConfig: {} }).job.backgroundImages).toEqual([
      'bg.png',
    ]);
    expect(ok({ BackgroundImageConfig: { SubType: 'Blur', Radius: 0.1 } }).job.background).toEqual({ type: 'Blur', radius: 0.1 });
    expect(ok({ BackgroundImageConfig: { SubType: 'Color', Color: '#000000' } }).job.background).toEqual({
      type: 'Color',
      color: '#000000',
    });
  });
});
