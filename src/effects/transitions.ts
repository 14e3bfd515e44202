/**
 * How each IMS transition is drawn in this version. All IMS transitions are gl-transitions shaders;
 * until the shader path lands (issue: transitions), each is drawn with the closest built-in FFmpeg
 * `xfade` transition, and the plan marks it `faithful: false`. Names with no close equivalent fall
 * back to a crossfade.
 */
import { TRANSITIONS } from '../spec/catalogue.js';

const XFADE_EQUIVALENT: Record<string, string> = {
  fade: 'fade',
  wipeleft: 'wipeleft',
  wiperight: 'wiperight',
  wipeup: 'wipeup',
  wipedown: 'wipedown',
  circleopen: 'circleopen',
  circlecrop: 'circlecrop',
  radial: 'radial',
  pixelize: 'pixelize',
  fadegrayscale: 'fadegrays',
  colordistance: 'distance',
  squeeze: 'squeezev',
  linearblur: 'hblur',
  fadecolor: 'fadeblack',
  directional: 'slideleft',
  directionalwipe: 'wipetl',
  windowslice: 'hlslice',
  windowblinds: 'vuslice',
  simplezoom: 'zoomin',
  dreamyzoom: 'zoomin',
  doomscreentransition_up: 'vuslice',
  doomscreentransition_down: 'vdslice',
  crosshatch: 'dissolve',
  mosaic: 'pixelize',
  randomsquares: 'dissolve',
  circle: 'circleopen',
  doorway: 'horzopen',
  bowTieHorizontal: 'horzclose',
  bowTieVertical: 'vertclose',
  swap: 'slideright',
  wind: 'smoothleft',
  bounce_up: 'slideup',
  bounce_down: 'slidedown',
  multiplyblend: 'fadefast',
  colorphase: 'fadeslow',
  luma: 'dissolve',
};

export interface TransitionDrawing {
  drawnAs: string;
  faithful: boolean;
}

/** How a transition is drawn (the renderer falls back to a crossfade where FFmpeg lacks it). */
export function transitionDrawing(name: string): TransitionDrawing {
  const x = XFADE_EQUIVALENT[name];
  return { drawnAs: `xfade:${x ?? 'fade'}`, faithful: false };
}

export const ALL_TRANSITIONS: readonly string[] = TRANSITIONS;
