/**
 * The transition mux (c/mux.c): one frei0r plugin that draws a video's shader transitions one
 * after the other, each by its own shader's plugin from the same folder, so that one chain of
 * FFmpeg filters serves every shader transition of a video (render/transitions/frei0r.ts).
 */
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { cCompiler, compileCached, inlineIncludes } from '../util/cc.js';

const C_DIR = fileURLToPath(new URL('./c/', import.meta.url));

/**
 * Builds (or finds in the cache) the transition mux plugin in the shader plugins' folder:
 * FREI0R_PATH=dir, filter_name=name. With `weights`, the mux of the shaders' weights sources (a
 * frei0r source, for frei0r_src; shaders/weights.ts). Undefined without a C compiler.
 */
export async function frei0rMux(cacheDir: string, weights = false): Promise<{ dir: string; name: string } | undefined> {
  const cc = await cCompiler();
  if (!cc) return undefined;
  const dir = join(cacheDir, 'frei0r');
  const source = (weights ? '#define WEIGHTS 1\n' : '') + inlineIncludes(readFileSync(join(C_DIR, 'mux.c'), 'utf8'), C_DIR, 'mux.c');
  const so = await compileCached(cc, source, ['-O2', '-shared', '-fPIC'], dir, 'rs_mux_', '.so');
  return { dir, name: basename(so, '.so') };
}
