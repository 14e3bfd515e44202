/**
 * How each IMS transition is drawn. Every IMS transition is a shader of the gl-transitions
 * collection and is drawn from that GLSL source (src/shaders), except the plain crossfade, whose
 * shader is mix(from, to, progress): FFmpeg draws that one itself (a linear blend is the same in
 * YUV as in RGB, up to rounding), which is three times cheaper.
 */
import { shaderFor, shaderLabel } from '../shaders/catalogue.js';
import { TRANSITIONS } from '../job/catalogue.js';
import type { DrawnAs } from '../planner/timeline.js';

export interface TransitionDrawing {
  drawnAs: DrawnAs;
  faithful: boolean;
}

/** How a transition is drawn: by its shader, or by FFmpeg's crossfade (`fade`, and unknown names). */
export function transitionDrawing(name: string): TransitionDrawing {
  if (name.toLowerCase() === 'fade') return { drawnAs: { by: 'crossfade' }, faithful: true };
  const s = shaderFor(name);
  if (!s) return { drawnAs: { by: 'crossfade' }, faithful: false };
  return { drawnAs: { by: 'shader', name: s.name, flipY: s.flipY }, faithful: true };
}

/** A drawing in words: `glsl:<shader>` (`^` when upside down) or `ffmpeg:crossfade`. */
export const drawingLabel = (d: DrawnAs) => (d.by === 'shader' ? `glsl:${shaderLabel(d)}` : 'ffmpeg:crossfade');

export const ALL_TRANSITIONS: readonly string[] = TRANSITIONS;
