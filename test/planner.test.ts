import { describe, expect, it } from 'vitest';
import { type MaterialInfo, type Materials, type SpeechTimes, speechKey } from '../src/planner/inputs.js';
import { isFailure, planBatch, SENTENCE_GAP } from '../src/planner/plan.js';
import { RelevanceIndex } from '../src/planner/relevance.js';
import { estimateWidthEm } from '../src/captions/wrap.js';
import type { Timeline } from '../src/planner/timeline.js';
import { drawVariants } from '../src/planner/variants.js';
import { STYLE_VOICES } from '../src/speech/voices.js';
import { parseJob } from '../src/job/parse.js';
import { type JobValidationError, materialNotFound } from '../src/errors.js';
import { Rng } from '../src/util/rng.js';

const vid = (ref: string, duration = 12, text = ref): MaterialInfo => ({
  ref,
  kind: 'video',
  duration,
  width: 1920,
  height: 1080,
  hasAudio: true,
  text,
});
const img = (ref: string, text = ref): MaterialInfo => ({
  ref,
  kind: 'image',
  duration: Number.POSITIVE_INFINITY,
  width: 1000,
  height: 1000,
  hasAudio: false,
  text,
});

function materialsOf(...infos: (MaterialInfo | [string, Error])[]): Materials {
  return new Map(infos.map((i): [string, MaterialInfo | Error] => (Array.isArray(i) ? i : [i.ref, i])));
}

/** Fake speech: 0.08 s per character (what the planner sees of synthesis). */
function fakeSpeech(variants: ReturnType<typeof drawVariants>): SpeechTimes {
  const m: SpeechTimes = new Map();
  for (const v of variants)
    for (const p of v.voiceOver)
      for (const { say: s } of p.sentences)
        m.set(speechKey(v.voice, v.rate, s, v.style), { clipId: `clip:${s}`, duration: Math.round(s.length * 80) / 1000 });
  return m;
}

function plan(params: object, materials: Materials, seed: number | string = 1) {
  const { job } = parseJob(params as never);
  const rng = new Rng(seed);
  const variants = drawVariants(job, rng);
  const speech = fakeSpeech(variants);
  return { job, variants, result: planBatch(job, materials, variants, speech, rng) };
}

const timelines = (r: ReturnType<typeof plan>) => r.result.timelines.filter((t): t is Timeline => !isFailure(t));

const groups = (n: number, per: number) =>
  Array.from({ length: n }, (_, g) => ({ GroupName: `g${g}`, MediaArray: Array.from({ length: per }, (_, k) => `m${g}_${k}.mp4`) }));
const groupMaterials = (n: number, per: number, duration = 3) =>
  materialsOf(...Array.from({ length: n * per }, (_, i) => vid(`m${Math.floor(i / per)}_${i % per}.mp4`, duration)));

const scriptJob = (extra: object = {}, count = 5) => ({
  InputConfig: {
    MediaGroupArray: groups(3, 3),
    SpeechTextArray: [
      'First sentence of the voice. Second one follows here.',
      'Another text entirely. With two sentences.',
      'A third text to rotate.',
    ],
    TitleArray: ['T1', 'T2'],
  },
  OutputConfig: { MediaURL: 'o_{index}.mp4', Count: count, Width: 360, Height: 640 },
  ...extra,
});

describe('planner', () => {
  it('gives byte-identical plans for the same job and seed, and different ones for another seed', () => {
    const a = JSON.stringify(plan(scriptJob(), groupMaterials(3, 3), 42).result);
    const b = JSON.stringify(plan(scriptJob(), groupMaterials(3, 3), 42).result);
    const c = JSON.stringify(plan(scriptJob(), groupMaterials(3, 3), 43).result);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('rotates texts and titles so that each is used before any repeats', () => {
    const r = plan(scriptJob({}, 5), groupMaterials(3, 3));
    const texts = r.variants.map((v) => v.textIndex);
    expect(new Set(texts.slice(0, 3)).size).toBe(3);
    expect(new Set(r.variants.slice(0, 2).map((v) => v.title)).size).toBe(2);
  });

  it('takes one shot per group in group order and covers the voice-over exactly (AutoSpeed)', () => {
    const r = plan(scriptJob({ EditingConfig: { ProcessConfig: { SingleShotDuration: 1 } } }), groupMaterials(3, 3, 1));
    for (const t of timelines(r)) {
      const order = t.shots.map((s) => Number(s.group!.slice(1)));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(new Set(order)).toEqual(new Set([0, 1, 2]));
      const voiceEnd = t.voice!.segments.at(-1)!;
      expect(t.duration).toBeCloseTo(voiceEnd.start + voiceEnd.duration, 3);
      const last = t.shots.at(-1)!;
      expect(last.start + last.duration).toBeCloseTo(t.duration, 2);
      // extra shots come from the middle group when the voice-over is longer than one shot per group
      if (t.shots.length > 3) expect(t.shots.slice(1, -1).every((s) => s.group === 'g1')).toBe(true);
    }
  });

  it('trims instead of retiming with AlignmentMode Cut', () => {
    const r = plan(scriptJob({ EditingConfig: { ProcessConfig: { AlignmentMode: 'Cut' } } }), groupMaterials(3, 3, 10));
    for (const t of timelines(r)) {
      expect(t.shots.every((s) => s.speed === 1)).toBe(true);
      expect(t.shots.reduce((a, s) => a + s.duration, 0)).toBeCloseTo(t.duration, 2);
    }
  });

  it('without voice-over lasts FixedDuration, else SingleShotDuration × groups capped by MaxDuration', () => {
    const noVoice = (output: object) => ({
      InputConfig: { MediaGroupArray: groups(4, 2) },
      OutputConfig: { MediaURL: 'o_{index}.mp4', Width: 360, Height: 640, ...output },
    });
    expect(timelines(plan(noVoice({ FixedDuration: 7 }), groupMaterials(4, 2, 10)))[0].duration).toBe(7);
    expect(timelines(plan(noVoice({ MaxDuration: 10 }), groupMaterials(4, 2, 10)))[0].duration).toBe(10);
    expect(timelines(plan(noVoice({ MaxDuration: 5 }), groupMaterials(4, 2, 10)))[0].duration).toBe(5);
  });

  it('makes outputs with different shot sequences and reports how distinct they are', () => {
    const r = plan(scriptJob({}, 20), groupMaterials(3, 3));
    const seqs = timelines(r).map((t) => t.shots.map((s) => s.key).join('|'));
    expect(new Set(seqs).size).toBe(20);
    expect(r.result.uniqueness.possibleSequences).toBe(27);
    expect(r.result.uniqueness.duplicates).toBe(0);
    expect(r.result.uniqueness.minShotDifference).toBeGreaterThanOrEqual(1);
  });

  it('splits long videos into shots of SingleShotDuration and honours in/out points per group', () => {
    const job = {
      InputConfig: {
        MediaGroupArray: [
          { GroupName: 'a', MediaArray: ['long.mp4'] },
          { GroupName: 'b', MediaArray: ['long.mp4'] },
        ],
      },
      EditingConfig: {
        ProcessConfig: { SingleShotDuration: 2 },
        MediaConfig: { MediaMetaDataArray: [{ Media: 'long.mp4', GroupName: 'a', TimeRangeList: [{ In: 10, Out: 14 }] }] },
      },
      OutputConfig: { MediaURL: 'o_{index}.mp4', Count: 10, Width: 360, Height: 640 },
    };
    const r = plan(job, materialsOf(vid('long.mp4', 60)));
    for (const t of timelines(r)) {
      const a = t.shots.find((s) => s.group === 'a')!;
      expect(a.sourceIn).toBeGreaterThanOrEqual(10);
      expect(a.sourceOut).toBeLessThanOrEqual(14);
    }
    expect(r.result.uniqueness.possibleSequences).toBe(2 * 30);
  });

  it('group voice-over: a silent group lasts Duration, texts combine by index (IMS MCP example)', () => {
    const job = {
      InputConfig: {
        MediaGroupArray: [
          { GroupName: 'intro', MediaArray: ['a.mp4'], Duration: 3 },
          { GroupName: 'hello', MediaArray: ['b.mp4'], SpeechTextArray: ['Hello world!', 'My name is'] },
          { GroupName: 'name', MediaArray: ['c.mp4'], SpeechTextArray: ['Alice', 'Jack'] },
        ],
      },
      OutputConfig: { MediaURL: 'o_{index}.mp4', Count: 2, Width: 360, Height: 640 },
    };
    const r = plan(job, materialsOf(vid('a.mp4'), vid('b.mp4'), vid('c.mp4')));
    const ts = timelines(r);
    const spoken = ts.map((t) => t.voice!.segments.map((s) => s.text).join(' ')).sort();
    expect(spoken).toEqual(['Hello world! Alice', 'My name is Jack']);
    for (const t of ts) {
      expect(t.voice!.segments[0].start).toBeCloseTo(3, 3);
      const intro = t.shots.filter((s) => s.group === 'intro');
      expect(intro.reduce((a, s) => a + s.duration, 0)).toBeCloseTo(3, 2);
      const hello = t.shots.find((s) => s.group === 'hello')!;
      expect(hello.start).toBeCloseTo(3, 2);
    }
  });

  it('keeps cut points on the voice-over when transitions overlap the shots, and never lets a transition outgrow its neighbours', () => {
    const r = plan(
      scriptJob({ EditingConfig: { ProcessConfig: { AllowTransition: true, TransitionDuration: 5, UseUniformTransition: false } } }),
      groupMaterials(3, 3),
    );
    for (const t of timelines(r)) {
      expect(t.transitions.length).toBe(t.shots.length - 1);
      for (const tr of t.transitions) {
        const a = t.shots[tr.index];
        const b = t.shots[tr.index + 1];
        expect(tr.start).toBeCloseTo(b.start, 3);
        expect(a.start + a.duration).toBeCloseTo(b.start + tr.duration, 2);
        expect(tr.duration).toBeLessThanOrEqual(Math.min(a.duration, b.duration) / 2 + 1e-6);
      }
      const last = t.shots.at(-1)!;
      expect(last.start + last.duration).toBeCloseTo(t.duration, 2);
    }
  });

  it('draws one transition per video with UseUniformTransition, and per cut without', () => {
    const list = ['fade', 'wipeleft', 'circleopen', 'radial', 'pixelize'];
    const uni = plan(
      scriptJob({ EditingConfig: { ProcessConfig: { AllowTransition: true, TransitionList: list } } }, 10),
      groupMaterials(3, 3),
    );
    for (const t of timelines(uni)) expect(new Set(t.transitions.map((x) => x.name)).size).toBe(1);
    expect(new Set(timelines(uni).map((t) => t.transitions[0].name)).size).toBeGreaterThan(1);
    const per = plan(
      scriptJob({ EditingConfig: { ProcessConfig: { AllowTransition: true, TransitionList: list, UseUniformTransition: false } } }, 10),
      groupMaterials(3, 3),
    );
    expect(timelines(per).some((t) => new Set(t.transitions.map((x) => x.name)).size > 1)).toBe(true);
  });

  it('records VFX and caption effects per video and says which are not drawn yet', () => {
    const r = plan(
      scriptJob({
        EditingConfig: {
          ProcessConfig: {
            AllowVfxEffect: true,
            VfxEffectProbability: 100,
            VfxFirstClipEffectList: ['open'],
            VfxNotFirstClipEffectList: 'starry',
          },
          SpeechConfig: { AsrConfig: { AaiMotionInEffect: 'wave_in' } },
        },
      }),
      groupMaterials(3, 3),
    );
    for (const t of timelines(r)) {
      expect(t.shots[0].vfx).toEqual({ name: 'open', rendered: true });
      expect(t.shots.slice(1).every((s) => s.vfx?.name === 'starry' && !s.vfx.rendered)).toBe(true);
      expect(t.notes.join()).toMatch(/visual effects planned but not drawn yet: starry/);
      expect(t.captions!.inEffect).toEqual({ name: 'wave_in', rendered: true });
      expect(t.notes.join()).not.toMatch(/caption effect/);
    }
  });

  it('fails only the outputs whose rotated music is missing, naming it', () => {
    const job = scriptJob({}, 4);
    (job.InputConfig as Record<string, unknown>).BackgroundMusicArray = ['good.mp3', 'gone.mp3'];
    const mats = groupMaterials(3, 3);
    mats.set('good.mp3', { ref: 'good.mp3', kind: 'audio', duration: 10, width: 0, height: 0, hasAudio: true, text: '' });
    mats.set('gone.mp3', materialNotFound('gone.mp3', 'no file'));
    const r = plan(job, mats);
    const failed = r.result.timelines.filter(isFailure);
    expect(failed).toHaveLength(2);
    for (const f of failed) expect(f.error.message).toContain('gone.mp3');
  });

  it('Smart_Mix: each sentence gets the best-matching material, without reuse while unused ones remain', () => {
    const job = {
      InputConfig: {
        MediaArray: ['fruit.png', 'drinks.mp4', 'queue.mp4', 'store.mp4'],
        SpeechTextArray: [
          'The store front looks great. Fresh fruit everywhere. Cheap drinks and snacks. The queue at the checkout is long.',
        ],
      },
      OutputConfig: { MediaURL: 'o_{index}.mp4', Count: 3, Width: 360, Height: 640 },
    };
    const mats = materialsOf(
      img('fruit.png', 'fresh fruit apples'),
      vid('drinks.mp4', 12, 'drinks snacks shelf'),
      vid('queue.mp4', 12, 'checkout queue'),
      vid('store.mp4', 12, 'store front entrance'),
    );
    const r = plan(job, mats);
    for (const t of timelines(r)) {
      expect(t.shots.map((s) => s.material.ref)).toEqual(['store.mp4', 'fruit.png', 'drinks.mp4', 'queue.mp4']);
      // each shot lasts its sentence's speech (plus the gap)
      t.voice!.segments.forEach((seg, i) => {
        const next = t.voice!.segments[i + 1];
        expect(t.shots[i].duration).toBeCloseTo(next ? next.start - seg.start : seg.duration, 2);
      });
    }
    expect(new Set(timelines(r).map((t) => t.shots.map((s) => s.key).join('|'))).size).toBe(3);
  });

  it('Smart_Mix matching understands Chinese words', () => {
    const index = new RelevanceIndex(['新鲜水果 苹果', '零食 酒水 饮料', '收银台 排队']);
    const s = index.scores('这里的酒水很便宜');
    expect(s.indexOf(Math.max(...s))).toBe(1);
    const q = index.scores('结账要排队很久');
    expect(q.indexOf(Math.max(...q))).toBe(2);
  });

  it('leaves a gap between sentences and places captions exactly on the speech', () => {
    const r = plan(scriptJob({}, 1), groupMaterials(3, 3));
    const t = timelines(r)[0];
    const segs = t.voice!.segments;
    for (let i = 1; i < segs.length; i++) expect(segs[i].start).toBeCloseTo(segs[i - 1].start + segs[i - 1].duration + SENTENCE_GAP, 3);
    t.captions!.captions.forEach((c, i) => {
      expect(c.start).toBe(segs[i].start);
      expect(c.end).toBeCloseTo(segs[i].start + segs[i].duration, 3);
      expect(c.lines.length).toBeLessThanOrEqual(2);
    });
  });
});

describe('planner, more IMS examples', () => {
  it('draws each output’s voice from the Voice list (IMS example "zhiru,zhilun,zhibei_emo")', () => {
    const r = plan(scriptJob({ EditingConfig: { SpeechConfig: { Voice: 'zhiru,zhilun,zhibei_emo' } } }, 12), groupMaterials(3, 3));
    const voices = new Set(timelines(r).map((t) => t.voice!.voice));
    expect([...voices].every((v) => ['zhiru', 'zhilun', 'zhibei_emo'].includes(v))).toBe(true);
    expect(voices.size).toBeGreaterThan(1);
  });

  it('Style picks the voice and its prosody when Voice is empty; Voice wins when both are set', () => {
    const styled = plan(scriptJob({ EditingConfig: { SpeechConfig: { Style: 'Serious' } } }, 6), groupMaterials(3, 3));
    for (const v of styled.variants) {
      expect(STYLE_VOICES.Serious).toContain(v.voice);
      expect(v.style).toBe('Serious');
    }
    expect(timelines(styled)).toHaveLength(6);
    const both = plan(scriptJob({ EditingConfig: { SpeechConfig: { Style: 'Serious', Voice: 'zhiru' } } }, 2), groupMaterials(3, 3));
    for (const v of both.variants) expect([v.voice, v.style]).toEqual(['zhiru', undefined]);
  });

  it('Smart_Mix honours in/out points (IMS example 2)', () => {
    const job = {
      InputConfig: { MediaArray: ['a.mp4', 'b.mp4'], SpeechTextArray: ['One sentence here. Another sentence there. And a third.'] },
      EditingConfig: {
        MediaConfig: {
          MediaMetaDataArray: [
            {
              Media: 'a.mp4',
              TimeRangeList: [
                { In: 5, Out: 10 },
                { In: 15, Out: 20 },
              ],
            },
          ],
        },
      },
      OutputConfig: { MediaURL: 'o_{index}.mp4', Count: 6, Width: 360, Height: 640 },
    };
    const r = plan(job, materialsOf(vid('a.mp4', 30), vid('b.mp4', 30)));
    for (const t of timelines(r))
      for (const s of t.shots.filter((x) => x.material.ref === 'a.mp4'))
        expect((s.sourceIn >= 5 && s.sourceOut <= 10) || (s.sourceIn >= 15 && s.sourceOut <= 20)).toBe(true);
  });

  it('shows the title for the whole video (or TimelineIn/Out) and sub-headings by level under it', () => {
    const job = scriptJob({ EditingConfig: { TitleConfig: { TimelineIn: 1 } } }, 2);
    (job.InputConfig as Record<string, unknown>).SubHeadingArray = [
      { Level: 1, TitleArray: ['Sub A', 'Sub B'] },
      { Level: 2, TitleArray: ['Deeper'] },
    ];
    const [t] = timelines(plan(job, groupMaterials(3, 3)));
    expect(t.title).toMatchObject({ start: 1, end: t.duration });
    expect(t.subHeadings.map((s) => s.text)).toEqual([expect.stringMatching(/^Sub [AB]$/), 'Deeper']);
    expect(t.subHeadings[0].style.y).toBeGreaterThan(t.title!.style.y);
    expect(t.subHeadings[1].style.y).toBeGreaterThan(t.subHeadings[0].style.y);
  });
});

describe('caption layout', () => {
  const layout = (asr: object) => {
    const r = plan(scriptJob({ EditingConfig: { SpeechConfig: { AsrConfig: asr } } }, 1), groupMaterials(3, 3));
    return timelines(r)[0].captions!.style;
  };

  it('places captions above the bottom area apps cover by default', () => {
    const s = layout({});
    expect(s).toMatchObject({ alignment: 'BottomCenter', x: 180 });
    expect(s.y).toBeLessThanOrEqual(640 * 0.8);
  });

  it('accepts all nine alignments, anchoring on the matching side of the frame', () => {
    const expected: Record<string, [string, string]> = {
      TopLeft: ['left', 'top'],
      TopCenter: ['center', 'top'],
      TopRight: ['right', 'top'],
      CenterLeft: ['left', 'middle'],
      CenterCenter: ['center', 'middle'],
      CenterRight: ['right', 'middle'],
      BottomLeft: ['left', 'bottom'],
      BottomCenter: ['center', 'bottom'],
      BottomRight: ['right', 'bottom'],
    };
    for (const [alignment, [col, row]] of Object.entries(expected)) {
      const s = layout({ Alignment: alignment });
      expect(s.alignment).toBe(alignment);
      expect(col === 'left' ? s.x < 60 : col === 'right' ? s.x > 300 : s.x === 180).toBe(true);
      expect(row === 'top' ? s.y < 640 * 0.25 : row === 'middle' ? s.y === 320 : s.y > 400).toBe(true);
    }
  });

  it('reads X/Y as fractions below 1 and as pixels from 2 (IMS rule)', () => {
    expect(layout({ X: 0.25, Y: 0.5, Alignment: 'TopLeft' })).toMatchObject({ x: 90, y: 320 });
    expect(layout({ X: 40, Y: 500, Alignment: 'TopLeft' })).toMatchObject({ x: 40, y: 500 });
    expect(() => parseJob({ ...scriptJob(), EditingConfig: { SpeechConfig: { AsrConfig: { X: 1.5 } } } } as never)).toThrow(
      /neither a fraction/,
    );
  });

  it('keeps every caption line within the width left by its anchor', () => {
    const r = plan(
      scriptJob({ EditingConfig: { SpeechConfig: { AsrConfig: { Alignment: 'BottomLeft', X: 200 } } } }, 1),
      groupMaterials(3, 3),
    );
    const t = timelines(r)[0];
    const { fontSize } = t.captions!.style;
    for (const c of t.captions!.captions) for (const line of c.lines) expect(estimateWidthEm(line) * fontSize).toBeLessThan(360 - 200);
  });
});

describe('SSML in voice-over texts', () => {
  const ssml = (text: string) => {
    const job = {
      InputConfig: { MediaGroupArray: groups(2, 2), SpeechTextArray: [text] },
      OutputConfig: { MediaURL: 'o_{index}.mp4', Width: 360, Height: 640 },
    };
    return timelines(plan(job, groupMaterials(2, 2)))[0];
  };

  it('shows the text of <sub> and says its alias', () => {
    const t = ssml('<speak>The <sub alias="World Wide Web Consortium">W3C</sub> sets standards.</speak>');
    const seg = t.voice!.segments[0];
    expect(seg.text).toBe('The W3C sets standards.');
    expect(seg.clipId).toBe('clip:The World Wide Web Consortium sets standards.');
    expect(t.captions!.captions[0].lines.join(' ')).toBe('The W3C sets standards.');
  });

  it('adds the <break> time to the pause between caption units', () => {
    const t = ssml('First part here.<break time="800ms"/>Second part here.');
    const [a, b] = t.voice!.segments;
    expect(b.start - (a.start + a.duration)).toBeCloseTo(SENTENCE_GAP + 0.8, 3);
  });

  it('keeps the text of <say-as>, <phoneme>, <s> and <w>, and entities', () => {
    const t = ssml(
      '<s>Call <say-as interpret-as="telephone">555 0100</say-as> &amp; ask for <phoneme alphabet="ipa" ph="təˈmɑːtəʊ">tomato</phoneme>.</s>',
    );
    expect(t.voice!.segments.map((s) => s.text).join(' ')).toBe('Call 555 0100 & ask for tomato.');
  });

  it('refuses malformed markup, naming the field and the position', () => {
    const bad = (text: string) => {
      try {
        parseJob({ InputConfig: { MediaArray: ['a.mp4'], SpeechTextArray: ['fine', text] }, OutputConfig: {} });
      } catch (err) {
        return (err as JobValidationError).issues[0];
      }
      throw new Error('accepted');
    };
    expect(bad('Hello <sub alias="x">world')).toEqual({
      path: 'InputConfig.SpeechTextArray[1]',
      reason: 'malformed markup at character 7: <sub> is not closed',
    });
    expect(bad('Wait <break time="forever"/> here').reason).toMatch(/character 6: break time "forever" must be like 500ms/);
    expect(bad('A <b>bold</b> move').reason).toMatch(/character 3: unknown tag <b>/);
    expect(bad('<s>one</p>').reason).toMatch(/character 7: <\/p> closes <s> opened at character 1/);
  });
});
