/**
 * How each IMS transition is drawn. Every IMS transition is a shader of the gl-transitions
 * collection and is drawn from that GLSL source (src/shaders), except the plain crossfade, whose
 * shader is mix(from, to, progress): FFmpeg draws that one itself (a linear blend is the same in
 * YUV as in RGB, up to rounding), which is three times cheaper.
 */
import { shaderFor } from '../shaders/catalogue.js';
import { TRANSITIONS } from '../job/catalogue.js';

export interface TransitionDrawing {
  drawnAs: string;
  faithful: boolean;
}

/** How a transition is drawn: `glsl:<shader>` (`^` when upside down) or `ffmpeg:crossfade`. */
export function transitionDrawing(name: string): TransitionDrawing {
  if (name.toLowerCase() === 'fade') return { drawnAs: 'ffmpeg:crossfade', faithful: true };
  const s = shaderFor(name);
  if (!s) return { drawnAs: 'ffmpeg:crossfade', faithful: false };
  return { drawnAs: `glsl:${s.source.name}${s.flipY ? '^' : ''}`, faithful: true };
}

export const ALL_TRANSITIONS: readonly string[] = TRANSITIONS;
