/**
 * How renders run: switches an operator or a developer sets, read from the environment by the
 * shells (REELSMITH_SHADERS, REELSMITH_SHADER_HOST, REELSMITH_KEEP_WORK, …) and passed down; the
 * library never reads the environment.
 */
import type { CaptionLayerMode } from './caption-layer.js';
import { FFMPEG_MALLOC_ENV } from './ffmpeg.js';

export interface RenderSettings {
  /**
   * How shader transitions are drawn (render/transitions): `auto` (frei0r plugins inside the
   * render when FFmpeg has the frei0r filter, else drawn before the render by native programs),
   * `program` (drawn before the render by native programs), `js` (the JS engine only: no C
   * compiler used).
   */
  shaders: 'auto' | 'program' | 'js';
  /** The native shader build: vector (SIMD) with the scalar one as fallback, or scalar only. */
  shaderBuild: 'auto' | 'scalar';
  /**
   * Shaders that only weigh the two frames (shaders/weights.ts) draw their weights and FFmpeg
   * blends the frames in YUV (with the frei0r host); false: they draw pictures like the others.
   */
  shaderWeights: boolean;
  /**
   * Captions drawn once per change into a layer laid over the video (render/caption-layer.ts):
   * `auto` when it pays, `always`, or `never` (FFmpeg's `ass` filter on every frame).
   */
  captionLayer: CaptionLayerMode;
  /** Keep each render's work folder (voice track, ASS document, FFmpeg arguments) for debugging. */
  keepWork: boolean;
  /** Print the shader drawing's timing on stderr. */
  debugTiming: boolean;
  /** Environment FFmpeg runs with on top of the process's: glibc malloc tunables by default. */
  ffmpegEnv: Readonly<Record<string, string>>;
}

export const DEFAULT_RENDER: RenderSettings = {
  shaders: 'auto',
  shaderBuild: 'auto',
  shaderWeights: true,
  captionLayer: 'auto',
  keepWork: false,
  debugTiming: false,
  ffmpegEnv: FFMPEG_MALLOC_ENV,
};
