/**
 * The domain model of one output video: a Timeline of Shots joined by Transitions, with Captions,
 * overlays and audio tracks. The planner produces it (pure data, JSON-serialisable); the renderer
 * compiles it into one FFmpeg graph. All times are seconds on the output timeline unless named
 * `source*`.
 */
import type { Alignment } from '../job/catalogue.js';

export interface MaterialRef {
  /** The material as the job names it (path, URL or media ID). */
  ref: string;
  kind: 'video' | 'image';
  /**
   * How the renderer reaches a shot's first frame: by seeking the input (default), or by decoding
   * from the start (`decode`) for files whose keyframes do not decode alone.
   */
  seek?: 'decode';
}

export interface Shot {
  material: MaterialRef;
  group?: string;
  /** Stable identity of the shot among the job's candidates (material + piece), for uniqueness. */
  key: string;
  /** Timeline position of the first frame (including the overlap of an incoming transition). */
  start: number;
  duration: number;
  /** Source range used; for images both are 0. */
  sourceIn: number;
  sourceOut: number;
  /** Playback speed: source seconds per timeline second (1 = natural). */
  speed: number;
  /** Material audio volume (0 = muted). */
  volume: number;
  vfx?: Effect;
  /**
   * Ken Burns motion on still images so that they are not static: the image is fitted `zoom`
   * times larger than the frame and the frame pans across it from `from` to `to` (fractions of the
   * slack, x and y).
   */
  kenBurns?: { zoom: number; from: [number, number]; to: [number, number] };
}

export interface Effect {
  name: string;
  /** false while reelsmith does not draw this effect yet; the manifest says so. */
  rendered: boolean;
}

export interface Transition {
  /** IMS name as drawn for this cut. */
  name: string;
  /** Cut between shots[index] and shots[index + 1]. */
  index: number;
  /** Timeline time where the overlap starts. */
  start: number;
  duration: number;
  drawnAs: DrawnAs;
  /** true when drawnAs is the transition itself; false for the crossfade standing in for an unknown one. */
  faithful: boolean;
}

/**
 * How a transition is drawn: FFmpeg's crossfade, or a gl-transitions shader (its name in the
 * collection; `flipY` for the `_up` twins, drawn upside down).
 */
export type DrawnAs = { by: 'crossfade' } | { by: 'shader'; name: string; flipY: boolean };

export interface Caption {
  text: string;
  /** Text broken into at most two lines. */
  lines: string[];
  start: number;
  end: number;
}

export interface TextOverlay {
  text: string;
  /** The text broken into lines that fit the frame (at `style.fontSize`, shrunk if it had to be). */
  lines: string[];
  start: number;
  end: number;
  style: ResolvedTextStyle;
}

export interface ResolvedTextStyle {
  font: string;
  /** FontUrl as the job gave it (resolved to a file and a family by the render stage). */
  fontUrl?: string;
  fontSize: number;
  fontColor: string;
  outline: number;
  outlineColour: string;
  alignment: Alignment;
  /** Anchor point in output pixels. */
  x: number;
  y: number;
}

export interface CaptionTrack {
  style: ResolvedTextStyle;
  inEffect?: Effect;
  outEffect?: Effect;
  loopEffect?: Effect;
  /** reelsmith extension: word-by-word highlighting (word times estimated, see captions/karaoke). */
  highlight?: { mode: 'sweep' | 'pop'; color: string };
  captions: Caption[];
}

export interface SpeechSegment {
  /** Identifies the synthesized clip (see speech/). */
  clipId: string;
  text: string;
  start: number;
  duration: number;
}

export interface VoiceTrack {
  voice: string;
  rate: number;
  volume: number;
  segments: SpeechSegment[];
}

export interface MusicTrack {
  ref: string;
  volume: number;
  fadeOut: number;
}

export interface StickerOverlay {
  ref: string;
  /** An animated sticker (GIF or video) loops for the whole video. */
  animated: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
  opacity: number;
}

export type Background = { type: 'blur'; radius: number } | { type: 'color'; color: string } | { type: 'image'; ref: string };

export interface Timeline {
  index: number;
  width: number;
  height: number;
  fps: number;
  duration: number;
  shots: Shot[];
  transitions: Transition[];
  background: Background;
  /** Colour look over the whole picture (ProcessConfig.AllowFilter / FilterList). */
  look?: Effect;
  captions?: CaptionTrack;
  title?: TextOverlay;
  subHeadings: TextOverlay[];
  sticker?: StickerOverlay;
  voice?: VoiceTrack;
  music?: MusicTrack;
  /** What could not be honoured exactly (fallbacks), in words. */
  notes: string[];
}
