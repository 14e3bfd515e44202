/**
 * planBatch: a resolved job, what is known of its materials and speech, and the per-output draws
 * become N timelines. Pure: no I/O, every random choice from the seeded generator.
 */
import { CAPTION_LOOPS, motionFor } from '../captions/motion.js';
import { estimateWidthEm, fitText, type Measure, wrapLines } from '../captions/wrap.js';
import { transitionDrawing } from '../effects/transitions.js';
import { isVfxDrawn } from '../effects/vfx.js';
import { isLookDrawn, LOOKS_DRAWN } from '../effects/looks.js';
import { materialNotFound, materialUnreadable, ReelsmithError } from '../errors.js';
import { VFX_BASIC } from '../job/catalogue.js';
import type { Job } from '../job/job.js';
import type { Rng } from '../util/rng.js';
import { type Materials, type SpeechTimes, speechKey } from './inputs.js';
import { clampTransitions, layoutShots, type Piece } from './layout.js';
import { RelevanceIndex } from './relevance.js';
import { candidatesFor, type ShotCandidate, type Unusable } from './shots.js';
import { availableWidthPx, captionLayout, resolveTextStyle, titleStyle } from './styles.js';
import type { Caption, Effect, ResolvedTextStyle, SpeechSegment, StickerOverlay, Timeline, Transition } from './timeline.js';
import type { Variant } from './variants.js';

/** Silence between two voice-over sentences. */
export const SENTENCE_GAP = 0.2;

export interface PlanFailure {
  index: number;
  error: ReelsmithError;
}

export interface Uniqueness {
  /** How many distinct base shot sequences the materials allow (capped at 1e12). */
  possibleSequences: number;
  /** Smallest number of positions at which two outputs' shot sequences differ (null for one output). */
  minShotDifference: number | null;
  /** Number of outputs whose shot sequence equals an earlier output's. */
  duplicates: number;
}

/** Text widths in the fonts of the captions and of the titles (they may differ: FontUrl, Font). */
export interface TextMeasures {
  caption: Measure;
  title: Measure;
}

export interface BatchPlan {
  timelines: (Timeline | PlanFailure)[];
  uniqueness: Uniqueness;
  /** What the plans left out and why (materials unusable or too short), once for the batch. */
  warnings: string[];
}

export const isFailure = (t: Timeline | PlanFailure): t is PlanFailure => 'error' in t;

interface Slot {
  /** Script group mode: group name; Smart_Mix: sentence index. */
  group?: string;
  sentence?: string;
  length: number;
}

interface VoiceLayout {
  segments: SpeechSegment[];
  slots: Slot[];
  total: number;
}

/** Places the voice-over sentences of a variant on the timeline. */
function layoutVoice(job: Job, v: Variant, speech: SpeechTimes, perSentenceSlots: boolean): VoiceLayout {
  const segments: SpeechSegment[] = [];
  const slots: Slot[] = [];
  let t = 0;
  const max = job.type === 'Script' && job.scriptMode === 'group' ? undefined : job.output.maxDuration;
  v.voiceOver.forEach((part, pi) => {
    const slotStart = t;
    if (part.sentences.length === 0) {
      t += part.silence ?? 0;
    } else {
      part.sentences.forEach((unit, si) => {
        const timing = speech.get(speechKey(v.voice, v.rate, unit.say, v.style));
        if (!timing) throw new ReelsmithError('Internal', `no speech synthesized for "${unit.say}"`);
        if (max !== undefined && segments.length > 0 && t + timing.duration > max) return;
        const lastOfAll = pi === v.voiceOver.length - 1 && si === part.sentences.length - 1;
        segments.push({ clipId: timing.clipId, text: unit.text, start: round(t), duration: timing.duration });
        const slotBegin = t;
        t += timing.duration + (lastOfAll ? 0 : SENTENCE_GAP + unit.pauseAfter);
        if (perSentenceSlots) slots.push({ sentence: unit.text, length: t - slotBegin });
      });
    }
    if (!perSentenceSlots) slots.push({ group: part.group, length: t - slotStart });
  });
  return { segments, slots, total: t };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export function planBatch(
  job: Job,
  materials: Materials,
  variants: Variant[],
  speech: SpeechTimes,
  rng: Rng,
  measure: Measure | TextMeasures = estimateWidthEm,
): BatchPlan {
  const measures: TextMeasures = typeof measure === 'function' ? { caption: measure, title: measure } : measure;
  const r = rng.fork('plan');
  const used = new Set<string>();
  const results: (Timeline | PlanFailure)[] = [];
  const sequences: (string[] | undefined)[] = [];
  let possible = 1;
  let duplicates = 0;

  // Candidates per group (Script) or for the flat list (Smart_Mix), computed once.
  const groupCands = job.groups.map((g) => ({ group: g, ...candidatesFor(job, materials, g.media, g.name, g.split) }));
  const flat = job.type === 'Smart_Mix' ? candidatesFor(job, materials, job.media, undefined, true) : undefined;
  if (job.type === 'Script') for (const g of groupCands) possible = Math.min(1e12, possible * g.candidates.length);
  else
    possible = Math.min(
      1e12,
      factorialish(
        new Set(flat!.candidates.map((c) => c.material.ref)).size,
        Math.max(1, variants[0]?.voiceOver[0]?.sentences.length ?? 1),
        flat!.candidates.length,
      ),
    );

  // Materials left out of the shot pool (missing, undecodable, no picture) are said in every plan.
  const leftOut = [...new Map([...groupCands.flatMap((g) => g.unusable), ...(flat?.unusable ?? [])].map((u) => [u.ref, u.reason]))].map(
    ([ref, reason]) => `material ${ref} left out: ${reason}`,
  );
  // Files cut short: planned inside what decodes, and said.
  for (const m of materials.values())
    if (!(m instanceof Error) && m.claimedDuration !== undefined)
      leftOut.push(
        `material ${m.ref} decodes only ${m.duration.toFixed(2)} s of the ${m.claimedDuration.toFixed(2)} s its file claims (cut short?); its shots are planned inside what decodes`,
      );

  for (const v of variants) {
    const vr = r.fork(`timeline${v.index}`);
    try {
      const timeline =
        job.type === 'Script'
          ? planScript(job, materials, v, speech, vr, groupCands, used, measures)
          : planSmartMix(job, materials, v, speech, vr, flat!, used, measures);
      const seq = timeline.shots.map((s) => s.key);
      const sig = seq.join('|');
      if (used.has(sig)) duplicates++;
      used.add(sig);
      sequences.push(seq);
      timeline.notes.push(...leftOut);
      results.push(timeline);
    } catch (err) {
      if (!(err instanceof ReelsmithError)) throw err;
      sequences.push(undefined);
      results.push({ index: v.index, error: err });
    }
  }

  let minDiff: number | null = null;
  const done = sequences.filter((s): s is string[] => !!s);
  for (let i = 0; i < done.length; i++)
    for (let j = i + 1; j < done.length; j++) {
      const a = done[i];
      const b = done[j];
      let d = Math.abs(a.length - b.length);
      for (let k = 0; k < Math.min(a.length, b.length); k++) if (a[k] !== b[k]) d++;
      minDiff = minDiff === null ? d : Math.min(minDiff, d);
    }
  return { timelines: results, uniqueness: { possibleSequences: possible, minShotDifference: minDiff, duplicates }, warnings: leftOut };
}

/** Distinct ordered picks of `k` sentences' materials from `n` materials (bounded). */
function factorialish(n: number, k: number, pieces: number): number {
  let p = 1;
  for (let i = 0; i < k; i++) p *= Math.max(1, n - (i % Math.max(1, n)));
  return Math.min(1e12, p * Math.max(1, pieces / Math.max(1, n)));
}

function failUnusable(group: string | undefined, unusable: Unusable[]): never {
  const where = group ? `group "${group}" has no usable material` : 'no usable material';
  const missing = unusable.map((u) => `${u.ref} (${u.reason})`).join('; ');
  if (unusable.some((u) => u.missing)) throw materialNotFound(unusable.map((u) => u.ref).join(', '), `${where}: ${missing}`);
  throw materialUnreadable(unusable.map((u) => u.ref).join(', ') || '(none)', `${where}: ${missing}`);
}

function planScript(
  job: Job,
  materials: Materials,
  v: Variant,
  speech: SpeechTimes,
  rng: Rng,
  groupCands: { group: Job['groups'][number]; candidates: ShotCandidate[]; unusable: Unusable[] }[],
  used: Set<string>,
  measures: TextMeasures,
): Timeline {
  for (const g of groupCands) if (g.candidates.length === 0) failUnusable(g.group.name, g.unusable);
  const S = job.process.singleShotDuration;
  const volumeOf = (group: string | undefined) => job.groups.find((g) => g.name === group)?.volume ?? job.mediaVolume;

  if (job.scriptMode === 'group') {
    const voice = layoutVoice(job, v, speech, false);
    let best: { pieces: Piece[]; sig: string } | undefined;
    for (let attempt = 0; attempt < 30; attempt++) {
      const pieces: Piece[] = [];
      voice.slots.forEach((slot, gi) => {
        const pool = rng.shuffle(groupCands[gi].candidates);
        let filled = 0;
        let k = 0;
        while (filled < slot.length - 1e-6) {
          const cand = pool[k % pool.length];
          k++;
          const seg = Math.min(cand.nominal, slot.length - filled);
          pieces.push({ cand, seg, volume: volumeOf(slot.group) });
          filled += seg;
        }
        mergeTinyTail(pieces, 0.5);
      });
      const sig = pieces.map((p) => p.cand.key).join('|');
      best = { pieces, sig };
      if (!used.has(sig)) break;
    }
    return assemble(job, materials, v, rng, measures, best!.pieces, 1, voice.segments, voice.total);
  }

  // Global mode: one shot per group, then extra shots (middle groups first) until the target is covered.
  const voice = v.voiceOver.length > 0 ? layoutVoice(job, v, speech, false) : undefined;
  const target = voice
    ? voice.total
    : (job.output.fixedDuration ?? Math.min(S * job.groups.length, job.output.maxDuration ?? Number.POSITIVE_INFINITY));
  let chosen: ShotCandidate[] = [];
  for (let attempt = 0; attempt < 50; attempt++) {
    const seq: ShotCandidate[][] = groupCands.map((g) => [rng.pick(g.candidates)]);
    let total = seq.reduce((a, s) => a + s[0].nominal, 0);
    const middle = groupCands.length >= 3 ? groupCands.map((_, i) => i).slice(1, -1) : groupCands.map((_, i) => i);
    let guard = 0;
    while (total < target - 1e-6 && guard++ < 500) {
      // Prefer middle groups that still have unused shots.
      const withUnused = middle.filter((gi) => groupCands[gi].candidates.some((c) => !seq[gi].includes(c)));
      const pickFrom =
        withUnused.length > 0
          ? withUnused
          : groupCands.map((_, i) => i).filter((gi) => groupCands[gi].candidates.some((c) => !seq[gi].includes(c)));
      const gi = rng.pick(pickFrom.length > 0 ? pickFrom : middle);
      const unusedHere = groupCands[gi].candidates.filter((c) => !seq[gi].includes(c));
      const cand = rng.pick(unusedHere.length > 0 ? unusedHere : groupCands[gi].candidates);
      seq[gi].push(cand);
      total += cand.nominal;
    }
    chosen = seq.flat();
    if (!used.has(chosen.map((c) => c.key).join('|'))) break;
  }
  const nominal = chosen.reduce((a, c) => a + c.nominal, 0);
  let pieces: Piece[];
  let speed = 1;
  if (job.process.alignment === 'AutoSpeed' || !voice) {
    // Retimes the video track to the target length (also used without voice-over, so that a
    // FixedDuration or MaxDuration cap is met exactly).
    const scale = target / nominal;
    pieces = chosen.map((cand) => ({ cand, seg: cand.nominal * scale, volume: volumeOf(cand.group) }));
    speed = nominal / target;
  } else {
    pieces = [];
    let filled = 0;
    for (const cand of chosen) {
      if (filled >= target - 1e-6) break;
      const seg = Math.min(cand.nominal, target - filled);
      pieces.push({ cand, seg, volume: volumeOf(cand.group) });
      filled += seg;
    }
    mergeTinyTail(pieces, 0.5);
  }
  return assemble(job, materials, v, rng, measures, pieces, speed, voice?.segments ?? [], target);
}

/** A last piece shorter than `min` seconds is folded into the one before it. */
function mergeTinyTail(pieces: Piece[], min: number) {
  if (pieces.length < 2) return;
  const last = pieces[pieces.length - 1];
  if (last.seg < min) {
    pieces.pop();
    pieces[pieces.length - 1].seg += last.seg;
  }
}

function planSmartMix(
  job: Job,
  materials: Materials,
  v: Variant,
  speech: SpeechTimes,
  rng: Rng,
  flat: { candidates: ShotCandidate[]; unusable: Unusable[] },
  used: Set<string>,
  measures: TextMeasures,
): Timeline {
  if (flat.candidates.length === 0) failUnusable(undefined, flat.unusable);
  const refs = [...new Set(flat.candidates.map((c) => c.material.ref))];
  const byRef = new Map(refs.map((ref) => [ref, flat.candidates.filter((c) => c.material.ref === ref)]));
  const volume = job.mediaVolume;

  if (v.voiceOver.length === 0) {
    // No voice-over: shuffled materials, one shot each, up to the target length.
    const S = job.process.singleShotDuration;
    const target = job.output.fixedDuration ?? Math.min(S * Math.min(refs.length, 10), job.output.maxDuration ?? Number.POSITIVE_INFINITY);
    const pieces: Piece[] = [];
    let filled = 0;
    for (const ref of rng.shuffle(refs).concat(rng.shuffle(refs))) {
      if (filled >= target - 1e-6) break;
      const cand = rng.pick(byRef.get(ref)!);
      const seg = Math.min(cand.nominal, target - filled);
      pieces.push({ cand, seg, volume });
      filled += seg;
    }
    mergeTinyTail(pieces, 0.5);
    return assemble(job, materials, v, rng, measures, pieces, 1, [], target);
  }

  const voice = layoutVoice(job, v, speech, true);
  const index = new RelevanceIndex(refs.map((ref) => (materials.get(ref) as { text: string }).text));
  let pieces: Piece[] = [];
  for (let attempt = 0; attempt < 30; attempt++) {
    pieces = [];
    const usedRefs = new Set<string>();
    for (const slot of voice.slots) {
      const scores = index.scores(slot.sentence ?? '');
      if (usedRefs.size >= refs.length) usedRefs.clear();
      // Best unused material; ties (and the later attempts) are broken at random.
      const jitter = attempt === 0 ? 1e-6 : 0.05;
      let bestRef = refs[0];
      let bestScore = -1;
      refs.forEach((ref, i) => {
        if (usedRefs.has(ref)) return;
        const s = scores[i] + rng.next() * jitter;
        if (s > bestScore) {
          bestScore = s;
          bestRef = ref;
        }
      });
      usedRefs.add(bestRef);
      const cand = rng.pick(byRef.get(bestRef)!);
      pieces.push({ cand, seg: slot.length, volume });
    }
    if (!used.has(pieces.map((p) => p.cand.key).join('|'))) break;
  }
  return assemble(job, materials, v, rng, measures, pieces, 1, voice.segments, voice.total);
}

/** Builds the Timeline from laid-out pieces: transitions, effects, captions, overlays, audio. */
function assemble(
  job: Job,
  materials: Materials,
  v: Variant,
  rng: Rng,
  measures: TextMeasures,
  pieces: Piece[],
  speed: number,
  segments: SpeechSegment[],
  total: number,
): Timeline {
  const { width: W, height: H } = job.output;
  const notes: string[] = [];

  // Transitions
  const segs = pieces.map((p) => p.seg);
  const wanted = job.process.allowTransition ? pieces.slice(1).map(() => job.process.transitionDuration) : [];
  const tdur = job.process.allowTransition ? clampTransitions(segs, wanted) : pieces.slice(1).map(() => 0);
  const shots = layoutShots(pieces, tdur, speed);
  const transitions: Transition[] = [];
  if (job.process.allowTransition) {
    tdur.forEach((d, i) => {
      if (d <= 0.01) return;
      const name = v.uniformTransition ?? rng.pick(job.process.transitions);
      const drawing = transitionDrawing(name);
      transitions.push({ name, index: i, start: shots[i + 1].start, duration: round(d), ...drawing });
    });
    const approx = [...new Set(transitions.filter((t) => !t.faithful).map((t) => t.name))];
    if (approx.length > 0) notes.push(`transitions without a shader, drawn as a crossfade: ${approx.join(', ')}`);
  }

  // Ken Burns on stills: a slow pan across an image fitted slightly larger than the frame.
  const pans: [[number, number], [number, number]][] = [
    [
      [0, 0.5],
      [1, 0.5],
    ],
    [
      [1, 0.5],
      [0, 0.5],
    ],
    [
      [0.5, 0],
      [0.5, 1],
    ],
    [
      [0.5, 1],
      [0.5, 0],
    ],
    [
      [0, 0],
      [1, 1],
    ],
    [
      [1, 1],
      [0, 0],
    ],
  ];
  for (const shot of shots) {
    if (shot.material.kind !== 'image') continue;
    const [from, to] = rng.pick(pans);
    shot.kenBurns = { zoom: 1.08, from, to };
  }

  // VFX: drawn per shot with VfxEffectProbability.
  if (job.process.allowVfx) {
    shots.forEach((shot, i) => {
      if (!rng.chance(job.process.vfxProbability)) return;
      const list = i === 0 ? job.process.vfxFirst : job.process.vfxNotFirst;
      const name = rng.pick(list.length > 0 ? list : VFX_BASIC);
      shot.vfx = { name, rendered: isVfxDrawn(name) };
    });
    const skipped = shots.filter((s) => s.vfx && !s.vfx.rendered).map((s) => s.vfx!.name);
    if (skipped.length > 0) notes.push(`visual effects planned but not drawn yet: ${[...new Set(skipped)].join(', ')}`);
  }

  // Colour look: one per video.
  let look: Effect | undefined;
  if (job.process.allowFilter) {
    const name = rng.pick(job.process.filters.length > 0 ? job.process.filters : Object.keys(LOOKS_DRAWN));
    look = { name, rendered: isLookDrawn(name) };
    if (!look.rendered) notes.push(`filter ${name}: its look is not published by IMS; not drawn yet`);
  }

  // Captions
  const { style: cstyle, lineEm } = captionLayout(job);
  const captions: Caption[] = segments.map((s) => ({
    text: s.text,
    lines: wrapLines(s.text, lineEm, measures.caption),
    start: s.start,
    end: round(s.start + s.duration),
  }));
  const inEffect = v.captionIn ? { name: v.captionIn, rendered: !!motionFor(v.captionIn) } : undefined;
  const outEffect = v.captionOut ? { name: v.captionOut, rendered: !!motionFor(v.captionOut) } : undefined;
  const loopEffect = v.captionLoop ? { name: v.captionLoop, rendered: v.captionLoop in CAPTION_LOOPS } : undefined;
  for (const e of [inEffect, outEffect, loopEffect]) if (e && !e.rendered) notes.push(`caption effect ${e.name} not drawn yet`);

  // Title and sub-headings
  // Titles and sub-headings are broken by the measured width of their font and shrunk where a
  // word or the whole text would not fit, so that no glyph leaves the frame at any output size.
  const fitLines = (text: string, style: ResolvedTextStyle) => {
    const f = fitText(text, style.fontSize, (size) => availableWidthPx({ ...style, fontSize: size }, W, 'title'), measures.title, {
      extraPx: style.outline,
    });
    return { lines: f.lines, style: { ...style, fontSize: f.fontSize } };
  };
  const tstyle = titleStyle(job);
  const fittedTitle = v.title ? fitLines(v.title, tstyle) : undefined;
  const title =
    v.title && fittedTitle
      ? {
          text: v.title,
          lines: fittedTitle.lines,
          start: job.title.timelineIn ?? 0,
          end: Math.min(job.title.timelineOut ?? total, total),
          style: fittedTitle.style,
        }
      : undefined;
  // Sub-headings stack under a top-anchored title, however many lines it took.
  const titleBottom =
    tstyle.y + (fittedTitle ? fittedTitle.lines.length * fittedTitle.style.fontSize * 1.2 : tstyle.fontSize) + tstyle.fontSize * 0.3;
  const subHeadings = v.subHeadings.map((s) => {
    const custom = job.subHeadingStyles[String(s.level)];
    const base = { ...job.title, fontSize: Math.round(tstyle.fontSize * 0.7), y: undefined, ...custom };
    const style = resolveTextStyle(base, W, H, { alignment: 'TopCenter', top: 0, bottom: 0.9, sizeShare: 0.03 });
    if (custom?.y === undefined) style.y = Math.round(titleBottom + (s.level - 1) * style.fontSize * 1.4);
    const f = fitLines(s.text, style);
    return { text: s.text, lines: f.lines, start: base.timelineIn ?? 0, end: Math.min(base.timelineOut ?? total, total), style: f.style };
  });

  // Required per-output assets
  const need = (ref: string, what: string) => {
    const info = materials.get(ref);
    if (info instanceof Error) throw info instanceof ReelsmithError ? info : materialUnreadable(ref, info.message);
    if (!info) throw materialNotFound(ref, `${what} was not resolved`);
    return info;
  };
  let sticker: StickerOverlay | undefined;
  if (v.stickerIndex !== undefined) {
    const s = job.stickers[v.stickerIndex];
    const info = need(s.media, 'sticker');
    const px = (val: number | undefined, size: number, dflt: number) => (val === undefined ? dflt : val < 1 ? val * size : val);
    const width = Math.round(px(s.width, W, W * 0.2));
    const height = Math.round(px(s.height, H, (width * info.height) / Math.max(1, info.width)));
    sticker = {
      ref: s.media,
      animated: info.kind === 'video',
      x: Math.round(px(s.x, W, W - width - W * 0.04)),
      y: Math.round(px(s.y, H, H * 0.04)),
      width,
      height,
      opacity: s.opacity,
    };
  }
  if (v.music) need(v.music, 'background music');
  if (v.backgroundImage) need(v.backgroundImage, 'background image');

  const background: Timeline['background'] = v.backgroundImage
    ? { type: 'image', ref: v.backgroundImage }
    : job.background.type === 'Color'
      ? { type: 'color', color: job.background.color }
      : { type: 'blur', radius: job.background.radius };

  return {
    index: v.index,
    width: W,
    height: H,
    fps: job.output.fps,
    duration: round(total),
    shots,
    transitions,
    background,
    look,
    captions:
      captions.length > 0
        ? { style: cstyle, inEffect, outEffect, loopEffect, highlight: job.speech.captions.highlight, captions }
        : undefined,
    title,
    subHeadings,
    sticker,
    voice: segments.length > 0 ? { voice: v.voice, rate: v.rate, volume: job.speech.volume, segments } : undefined,
    music: v.music ? { ref: v.music, volume: job.musicConfig.volume, fadeOut: Math.min(2, total / 4) } : undefined,
    notes,
  };
}
