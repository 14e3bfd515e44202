/**
 * The extra textures two shaders of the collection read: `luma` (a luminance map whose grey level
 * says when each pixel switches) and `displacement` (a displacement map). The gl-transitions
 * website draws them from images it hosts; reelsmith generates its own, deterministically, so that
 * nothing is downloaded: a spiral for `luma` and smooth interference waves for `displacement`.
 */
import type { Texture } from './kernel.js';

const SIZE = 256;

function grey(fn: (x: number, y: number) => number): Texture {
  const d = new Uint8Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      // (x, y) in [0, 1], y pointing up as in GL.
      const g = Math.round(255 * Math.min(1, Math.max(0, fn((x + 0.5) / SIZE, 1 - (y + 0.5) / SIZE))));
      const o = (y * SIZE + x) * 3;
      d[o] = g;
      d[o + 1] = g;
      d[o + 2] = g;
    }
  }
  return { d, w: SIZE, h: SIZE };
}

/** A two-turn spiral around the centre: pixels switch along a sweeping arm. */
export const lumaSpiral = (): Texture =>
  grey((x, y) => {
    const dx = x - 0.5;
    const dy = y - 0.5;
    const a = (Math.atan2(dy, dx) / (2 * Math.PI) + 1) % 1;
    const r = Math.sqrt(dx * dx + dy * dy) / Math.SQRT1_2;
    return (a + r * 2) / 3;
  });

/** Smooth interference of a few waves, in [0, 1]. */
export const displacementWaves = (): Texture =>
  grey((x, y) => 0.5 + 0.25 * Math.sin(9 * x + 3 * Math.sin(5 * y)) + 0.25 * Math.cos(7 * y - 2 * Math.cos(6 * x)));

export const SHADER_TEXTURES: Record<string, () => Texture> = {
  luma: lumaSpiral,
  displacementMap: displacementWaves,
};
