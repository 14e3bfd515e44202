/**
 * Shader-specific rewrites: C written by hand for a gl-transitions shader whose GLSL, compiled as
 * written, costs many times what the rest of the collection does, so that no transition name is a
 * trap. A rewrite replaces the shader's compiled body and its drawing loop in the native builds
 * (both hosts); it is used only for the exact GLSL it was written from (its SHA-256), and draws the
 * shader's pictures within 50 dB PSNR of the shader compiled as written (test/shaders.test.ts).
 * The JS engine draws the GLSL as written.
 */
import { createHash } from 'node:crypto';
import type { GlTransitionSource } from './catalogue.js';

export interface Rewrite {
  /** The C file in ./c that stands for the shader (see rewrite-linearblur.h for the contract). */
  file: string;
  /** SHA-256 of the GLSL it was written from. */
  glslSha256: string;
  /** The uniforms it reads, given to it as P_<name> defines. */
  uniforms: string[];
}

const REWRITES: Record<string, Rewrite> = {
  // 36 bilinear reads (144 texels) of each frame per pixel (≈ 380 ms per 1080x1920 frame on 2 cores, 2026-12-03);
  // a separable blur of the frames' mix draws the same picture with 24 multiply-adds per channel.
  LinearBlur: {
    file: 'rewrite-linearblur.h',
    glslSha256: 'c050f00e27d6b3229587dcdf4e57ed139bdf80a12e031180cf5a5b92b8813eb9',
    uniforms: ['intensity'],
  },
};

/** The rewrite of a collection shader, when there is one for its GLSL as it is. */
export function rewriteOf(source: GlTransitionSource): Rewrite | undefined {
  const r = REWRITES[source.name];
  if (!r) return undefined;
  return createHash('sha256').update(source.glsl).digest('hex') === r.glslSha256 ? r : undefined;
}
