/**
 * The resolved job: every default filled, every comma list split, every name checked. Later
 * stages (planner, renderer) read only this and never re-check user input.
 */
import type { SpeechLanguage } from '../speech/voices.js';
import type { Alignment } from './catalogue.js';

export type JobType = 'Script' | 'Smart_Mix';

export interface TimeRange {
  in: number;
  out: number;
}

export interface MediaGroup {
  name: string;
  media: string[];
  speechTexts: string[];
  /** Duration of a group without voice-over in group mode (default 5 s). */
  duration?: number;
  /** Material audio volume for this group; overrides the job's MediaConfig.Volume. */
  volume?: number;
  /** false when SplitMode is NoSplit: the material is used whole instead of split into shots. */
  split: boolean;
}

export interface StickerSpec {
  media: string;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  opacity: number;
}

export interface TextStyle {
  /** IMS font name as given (mapped to an installed font by the captions module). */
  font: string;
  /** A font file (path or URL) to use instead of the named font. */
  fontUrl?: string;
  /** Pixel size; 0 means automatic (scaled with the output height). */
  fontSize: number;
  fontColor: string;
  outline: number;
  outlineColour: string;
  alignment?: Alignment;
  x?: number;
  y?: number;
  timelineIn?: number;
  timelineOut?: number;
}

export interface CaptionStyle extends TextStyle {
  inEffects: string[];
  outEffects: string[];
  loopEffects: string[];
  /** reelsmith extension: word-by-word highlighting. */
  highlight?: { mode: 'sweep' | 'pop'; color: string };
}

export interface Job {
  type: JobType;
  /** Script only: global voice-over (one text for the whole video) or group voice-over. */
  scriptMode?: 'global' | 'group';
  groups: MediaGroup[];
  /** Smart_Mix materials. */
  media: string[];
  speechTexts: string[];
  titles: string[];
  subHeadings: { level: number; titles: string[] }[];
  music: string[];
  backgroundImages: string[];
  stickers: StickerSpec[];
  /** In/out restrictions; `group` undefined means: in every group (and in Smart_Mix). */
  mediaRanges: { media: string; group?: string; ranges: TimeRange[] }[];
  mediaVolume: number;
  speech: {
    voices: string[];
    style?: 'Gentle' | 'Serious' | 'Entertainment';
    /** IMS scale, -500..500. */
    rate: number;
    volume: number;
    language?: SpeechLanguage;
    captions: CaptionStyle;
  };
  title: TextStyle;
  subHeadingStyles: Record<string, Partial<TextStyle>>;
  musicConfig: { styles: string[]; volume: number };
  background: { type: 'Blur'; radius: number } | { type: 'Color'; color: string };
  process: {
    singleShotDuration: number;
    imageDuration: number;
    alignment: 'AutoSpeed' | 'Cut';
    allowTransition: boolean;
    transitions: string[];
    transitionDuration: number;
    uniformTransition: boolean;
    allowVfx: boolean;
    vfxProbability: number;
    vfxFirst: string[];
    vfxNotFirst: string[];
    allowFilter: boolean;
    filters: string[];
  };
  output: {
    mediaURL: string;
    count: number;
    width: number;
    height: number;
    maxDuration?: number;
    fixedDuration?: number;
    crf: number;
    fps: number;
    preset: string;
    previewOnly: boolean;
  };
  /** UserData exactly as a JSON string, echoed back. */
  userData?: string;
  /** Directory that relative material paths are resolved against. */
  baseDir: string;
}

export interface ParsedJob {
  job: Job;
  warnings: string[];
  /** The four configs as JSON strings, as IMS reports them back. */
  raw: { InputConfig: string; EditingConfig: string; OutputConfig: string; UserData?: string };
}
