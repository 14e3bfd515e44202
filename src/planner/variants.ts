/**
 * Per-output draws that do not depend on media or speech: which text, voice, title, music,
 * background, sticker and effect names each output gets. Comma lists are drawn per video; arrays
 * rotate from a random start so that each item is used before any repeats.
 */
import { estimateWidthEm, type Measure, splitCaptionUnits } from '../captions/wrap.js';
import type { Job } from '../job/job.js';
import { hasMarkup, parseSpeechText } from '../speech/ssml.js';
import { DEFAULT_VOICE, STYLE_VOICES } from '../speech/voices.js';
import { type Rng, rotation } from '../util/rng.js';
import { captionLayout } from './styles.js';

/** A caption unit: shown as `text`, spoken as `say` (they differ for SSML <sub>), then a pause. */
export interface SpeechUnit {
  text: string;
  say: string;
  /** Extra silence after it (SSML <break>), seconds. */
  pauseAfter: number;
}

/** Voice-over text (plain, or the IMS SSML subset) → caption units that fit two lines. */
export function speechUnits(text: string, lineEm: number, measure: Measure): SpeechUnit[] {
  if (!hasMarkup(text)) return splitCaptionUnits(text, lineEm, measure).map((t) => ({ text: t, say: t, pauseAfter: 0 }));
  const { pieces, subs } = parseSpeechText(text);
  const units: SpeechUnit[] = [];
  for (const piece of pieces) {
    if ('pause' in piece) {
      if (units.length > 0) units[units.length - 1].pauseAfter += piece.pause;
      continue;
    }
    for (const t of splitCaptionUnits(piece.show, lineEm, measure)) {
      const say = subs.reduce((acc, sub) => (sub.show ? acc.split(sub.show).join(sub.say) : acc), t);
      units.push({ text: t, say, pauseAfter: 0 });
    }
  }
  return units;
}

export interface VoiceOverPart {
  /** Script group mode: the group this part belongs to. */
  group?: string;
  /** Caption units, each synthesized on its own. Empty for a silent group. */
  sentences: SpeechUnit[];
  /** Silent length for a group without text. */
  silence?: number;
}

export interface Variant {
  index: number;
  voice: string;
  rate: number;
  /** Speaking style (IMS `Style`, when it chose the voice): its prosody applies. */
  style?: 'Gentle' | 'Serious' | 'Entertainment';
  /** Index into the job's text list (global) — for the manifest. */
  textIndex?: number;
  voiceOver: VoiceOverPart[];
  title?: string;
  subHeadings: { level: number; text: string }[];
  music?: string;
  backgroundImage?: string;
  stickerIndex?: number;
  captionIn?: string;
  captionOut?: string;
  captionLoop?: string;
  uniformTransition?: string;
}

/** `measure` gives text widths in em of the caption font (see captions/metrics). */
export function drawVariants(job: Job, rng: Rng, measure: Measure = estimateWidthEm, styleMusic: string[] = []): Variant[] {
  const n = job.output.count;
  const r = rng.fork('variants');
  const textRot = rotation(r, job.speechTexts.length, n);
  const titleRot = rotation(r, job.titles.length, n);
  const subRots = job.subHeadings.map((s) => rotation(r, s.titles.length, n));
  // Music named by the job, else the library's tracks of BackgroundMusicConfig.Style.
  const musicList = job.music.length > 0 ? job.music : styleMusic;
  const musicRot = rotation(r, musicList.length, n);
  const bgRot = rotation(r, job.backgroundImages.length, n);
  const stickerRot = rotation(r, job.stickers.length, n);
  const { lineEm } = captionLayout(job);

  // Group mode: texts combine by index when every speaking group has the same number of texts.
  const speaking = job.groups.filter((g) => g.speechTexts.length > 0);
  const byIndex = speaking.length > 0 && speaking.every((g) => g.speechTexts.length === speaking[0].speechTexts.length);
  const groupRots = job.groups.map((g) => rotation(r, g.speechTexts.length, n));
  const indexStart = byIndex ? r.int(speaking[0].speechTexts.length) : 0;

  const voices = job.speech.voices.length > 0 ? job.speech.voices : job.speech.style ? STYLE_VOICES[job.speech.style] : [DEFAULT_VOICE];
  const c = job.speech.captions;

  return Array.from({ length: n }, (_, i) => {
    const v = r.fork(`output${i}`);
    let voiceOver: VoiceOverPart[] = [];
    let textIndex: number | undefined;
    if (job.type === 'Script' && job.scriptMode === 'group') {
      voiceOver = job.groups.map((g, gi) => {
        if (g.speechTexts.length === 0) return { group: g.name, sentences: [], silence: g.duration ?? 5 };
        const ti = byIndex ? (indexStart + i) % g.speechTexts.length : groupRots[gi][i];
        return { group: g.name, sentences: speechUnits(g.speechTexts[ti], lineEm, measure) };
      });
    } else if (job.speechTexts.length > 0) {
      textIndex = textRot[i];
      voiceOver = [{ sentences: speechUnits(job.speechTexts[textIndex], lineEm, measure) }];
    }
    return {
      index: i,
      voice: v.pick(voices),
      rate: job.speech.rate,
      style: job.speech.voices.length === 0 ? job.speech.style : undefined,
      textIndex,
      voiceOver,
      title: job.titles.length > 0 ? job.titles[titleRot[i]] : undefined,
      subHeadings: job.subHeadings.map((s, si) => ({ level: s.level, text: s.titles[subRots[si][i]] })),
      music: musicList.length > 0 ? musicList[musicRot[i]] : undefined,
      backgroundImage: job.backgroundImages.length > 0 ? job.backgroundImages[bgRot[i]] : undefined,
      stickerIndex: job.stickers.length > 0 ? stickerRot[i] : undefined,
      captionIn: c.inEffects.length > 0 ? v.pick(c.inEffects) : undefined,
      captionOut: c.outEffects.length > 0 ? v.pick(c.outEffects) : undefined,
      captionLoop: c.loopEffects.length > 0 ? v.pick(c.loopEffects) : undefined,
      uniformTransition: job.process.allowTransition && job.process.uniformTransition ? v.pick(job.process.transitions) : undefined,
    };
  });
}
