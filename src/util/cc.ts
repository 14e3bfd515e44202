/**
 * Builds C with the system's C compiler, content-addressed in a cache folder: the shader plugins
 * and programs (src/shaders/c), the transition mux and the subprocess leash. Local includes
 * (`#include "x.h"`) are inlined with `#line` markers before hashing, so that the cache key covers
 * every file a build reads and the compiler's messages name the real files.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

let compilerAvailable: Promise<string | undefined> | undefined;

/** The system's C compiler, if there is one (cc, gcc or clang). */
export function cCompiler(): Promise<string | undefined> {
  compilerAvailable ??= (async () => {
    for (const cc of ['cc', 'gcc', 'clang']) {
      const r = await execa(cc, ['--version'], { reject: false });
      if (r.exitCode === 0) return cc;
    }
    return undefined;
  })();
  return compilerAvailable;
}

/**
 * One translation unit from `source` (named `name` in messages): each `#include "file"` line
 * replaced by that file of `dir` (recursively), between `#line` markers.
 */
export function inlineIncludes(source: string, dir: string, name: string, depth = 0): string {
  if (depth > 8) throw new Error(`${name}: includes nested too deep`);
  const lines = source.split('\n');
  return lines
    .map((line, i) => {
      const m = /^#include "([\w.-]+)"\s*$/.exec(line);
      if (!m) return line;
      const text = readFileSync(join(dir, m[1]), 'utf8').replace(/\n$/, '');
      return `#line 1 "${m[1]}"\n${inlineIncludes(text, dir, m[1], depth + 1)}\n#line ${i + 2} "${name}"`;
    })
    .join('\n');
}

/**
 * Builds C source with the given flags into `dir/<prefix><hash of source and flags><suffix>`,
 * unless it is there already; returns its path.
 */
export async function compileCached(
  cc: string,
  src: string,
  flags: string[],
  dir: string,
  prefix: string,
  suffix: string,
): Promise<string> {
  const hash = createHash('sha256').update(src).update(flags.join(' ')).digest('hex').slice(0, 20);
  const exe = join(dir, `${prefix}${hash}${suffix}`);
  if (existsSync(exe)) return exe;
  await mkdir(dir, { recursive: true });
  // Unique work names: renders of one process may build the same shader at once.
  const tag = `${process.pid}.${Math.random().toString(36).slice(2, 8)}`;
  const c = `${exe}.${tag}.c`;
  const tmp = `${exe}.${tag}.tmp`;
  await writeFile(c, src);
  try {
    await execa(cc, [...flags, '-o', tmp, c, '-lm']);
    await rename(tmp, exe);
  } finally {
    await rm(c, { force: true });
    await rm(tmp, { force: true });
  }
  return exe;
}
