/**
 * The environment, read in one place by the shells (CLI, service, benches) and turned into the
 * values the library takes; nothing below src/shells reads it.
 */
import { FFMPEG_MALLOC_ENV } from '../render/ffmpeg.js';
import type { RenderSettings } from '../render/settings.js';

/**
 * How renders run: REELSMITH_SHADERS=js (the JS engine only), REELSMITH_SHADER_HOST=program
 * (transitions drawn before the render by native programs instead of frei0r plugins inside it),
 * REELSMITH_SHADER_SIMD=0 (scalar native builds), REELSMITH_SHADER_WEIGHTS=0 (shaders that only
 * weigh the two frames draw pictures like the others), REELSMITH_KEEP_WORK=1 (keep work folders),
 * REELSMITH_CAPTION_LAYER=always|never (captions drawn once per change, or by `ass` on every
 * frame; default: when it pays), REELSMITH_DEBUG_TIMING=1, and
 * REELSMITH_FFMPEG_MALLOC=0 (leave FFmpeg's allocator alone; a malloc variable the environment
 * sets itself wins over reelsmith's).
 */
export function renderSettingsFromEnv(env: NodeJS.ProcessEnv): RenderSettings {
  return {
    shaders: env.REELSMITH_SHADERS === 'js' ? 'js' : env.REELSMITH_SHADER_HOST === 'program' ? 'program' : 'auto',
    shaderBuild: env.REELSMITH_SHADER_SIMD === '0' ? 'scalar' : 'auto',
    shaderWeights: env.REELSMITH_SHADER_WEIGHTS !== '0',
    captionLayer: env.REELSMITH_CAPTION_LAYER === 'always' ? 'always' : env.REELSMITH_CAPTION_LAYER === 'never' ? 'never' : 'auto',
    keepWork: env.REELSMITH_KEEP_WORK === '1',
    debugTiming: !!env.REELSMITH_DEBUG_TIMING,
    ffmpegEnv:
      env.REELSMITH_FFMPEG_MALLOC === '0'
        ? {}
        : Object.fromEntries(Object.entries(FFMPEG_MALLOC_ENV).filter(([k]) => env[k] === undefined)),
  };
}
