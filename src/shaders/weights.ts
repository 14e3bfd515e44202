/**
 * Shaders that only weigh the two frames. Many transitions (wipes, circles, radial, heart, …) draw
 * at each pixel a mix of the outgoing and the incoming frame's own pixels there, by a weight that
 * depends on where the pixel is and on the progress, never on the pictures. Such a shader needs no
 * picture: the render draws its weights (the outgoing frame black, the incoming one white) and
 * FFmpeg blends the two frames by them in YUV, where the render's frames are — no RGB conversion of
 * both frames, no stacked RGBA pair, no packing back (render/transitions/frei0r.ts).
 *
 * Which shaders these are is found by drawing them, not by reading their GLSL: run by the JS engine
 * on a small picture of the render's shape at 27 progress values, a shader must draw black to white
 * as a grey (its weight) and two random pictures as their mix by that weight at every pixel, within
 * the rounding of an 8-bit weight. A shader that moves pixels, tints them or reads their colours
 * fails at once on random pictures.
 */
import { prepareShader, type Shader, shaderLabel } from './catalogue.js';
import { makeKernel } from './kernel.js';

/** Progress values checked: every 24th, and the first and last frames of a 15-frame cut. */
const PROGRESS = [...Array.from({ length: 25 }, (_, i) => i / 24), 1 / 15, 14 / 15];

/** Width of the pictures the check draws (the height follows the render's shape). */
const CHECK_WIDTH = 36;

const known = new Map<string, boolean>();

/** Bytes from a fixed seed (mulberry32): the same pictures every time. */
function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 255;
  }
  return out;
}

/**
 * True when the shader's picture is, at every pixel, the outgoing and incoming frames' own pixels
 * there mixed by a weight that depends on neither picture, for a render of the given shape
 * (width / height). Checked once per shader and shape.
 */
export function weighsOnly(shader: Shader, ratio: number): boolean {
  const w = CHECK_WIDTH;
  const h = Math.max(8, Math.min(256, Math.round(w / ratio)));
  const key = `${shaderLabel(shader)}\n${w}x${h}`;
  const hit = known.get(key);
  if (hit !== undefined) return hit;
  let result: boolean;
  try {
    result = check(shader, w, h);
  } catch {
    // A shader the JS engine cannot draw is drawn as pictures, as before.
    result = false;
  }
  known.set(key, result);
  return result;
}

function check(shader: Shader, w: number, h: number): boolean {
  const p = prepareShader(shader);
  const draw = makeKernel(p.compiled, { width: w, height: h, textures: p.textures, flipY: p.flipY });
  const n = w * h * 3;
  const black = new Uint8Array(n);
  const white = new Uint8Array(n).fill(255);
  const a = noise(n, 1);
  const b = noise(n, 2);
  const weights = new Uint8Array(n);
  const mixed = new Uint8Array(n);
  for (const progress of PROGRESS) {
    draw(black, white, weights, progress);
    draw(a, b, mixed, progress);
    for (let i = 0; i < n; i += 3) {
      const k = weights[i];
      if (weights[i + 1] !== k || weights[i + 2] !== k) return false;
      for (let c = 0; c < 3; c++) {
        // The weight as drawn is rounded to 8 bits, and so is the mix: 1 level apart at most.
        const expected = a[i + c] + ((b[i + c] - a[i + c]) * k) / 255;
        if (Math.abs(mixed[i + c] - expected) > 1.5) return false;
      }
    }
  }
  return true;
}
