/** What the planner needs to know about the world, gathered by I/O stages beforehand. */

export interface MaterialInfo {
  ref: string;
  kind: 'video' | 'image' | 'audio';
  /** Seconds; Infinity for still images. */
  duration: number;
  width: number;
  height: number;
  hasAudio: boolean;
  /** false when input seeking lands on wrong frames: the renderer cuts it by decoding from the start. */
  seekSafe?: boolean;
  /** The length its container claims, when more than what decodes (`duration`): a truncated file. */
  claimedDuration?: number;
  /** Words that describe the material (library title, description, tags, file name). */
  text: string;
}

/** Materials by ref; a ref mapped to an Error could not be fetched or decoded. */
export type Materials = Map<string, MaterialInfo | Error>;

export interface SpeechTiming {
  clipId: string;
  duration: number;
}

/** Synthesized durations, keyed by `speechKey(voice, rate, text)`. */
export type SpeechTimes = Map<string, SpeechTiming>;

export const speechKey = (voice: string, rate: number, text: string, style?: string) => `${voice}|${rate}|${style ?? ''}|${text}`;
