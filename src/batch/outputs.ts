/**
 * Where outputs may be written: checked before any work, so that a job never fails half-way for a
 * folder it could not use, and never replaces a file it did not make (an input material, or
 * anything else already in the folder).
 */
import { constants } from 'node:fs';
import { access, mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ReelsmithError } from '../errors.js';

/** Folders no output may go to (kernel interfaces; writing there is never meant). */
const FORBIDDEN_ROOTS = ['/proc', '/sys', '/dev'];

/** The nearest existing folder at or above `path`, with symlinks resolved. */
async function existingAncestor(path: string): Promise<string> {
  let at = resolve(path);
  for (;;) {
    try {
      return await realpath(at);
    } catch {
      const up = dirname(at);
      if (up === at) return at;
      at = up;
    }
  }
}

const under = (root: string, path: string) => path === root || path.startsWith(`${root}/`);

/**
 * Refuses an output folder that is a file, lies under /proc, /sys or /dev, or cannot be written,
 * naming it and why; otherwise creates it.
 */
export async function prepareOutDir(dir: string, field = 'output folder'): Promise<void> {
  const abs = resolve(dir);
  const real = await existingAncestor(abs);
  const bad = FORBIDDEN_ROOTS.find((r) => under(r, real) || under(r, abs));
  if (bad) throw new ReelsmithError('InvalidParameter', `${abs} is under ${bad}; outputs cannot go there`, field);
  const st = await stat(abs).catch(() => undefined);
  if (st && !st.isDirectory()) throw new ReelsmithError('InvalidParameter', `${abs} exists and is not a folder`, field);
  if (!st) {
    const parent = await stat(real).catch(() => undefined);
    if (parent && !parent.isDirectory())
      throw new ReelsmithError('InvalidParameter', `${real} is a file, so ${abs} cannot be created`, field);
  }
  try {
    await mkdir(abs, { recursive: true });
    await access(abs, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new ReelsmithError(
      'InvalidParameter',
      `${abs} cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      field,
    );
  }
}

/**
 * What an earlier run of reelsmith made in this folder, from its manifest (read once): the files it
 * lists, and whether a `manifest.json` there is foreign (not reelsmith's).
 */
async function earlierRun(outDir: string): Promise<{ made: Set<string>; foreignManifest: boolean }> {
  let text: string;
  try {
    text = await readFile(join(outDir, 'manifest.json'), 'utf8');
  } catch {
    return { made: new Set(), foreignManifest: false };
  }
  try {
    const m = JSON.parse(text) as { EditingBatchJob?: unknown; Plans?: { file?: string }[] };
    const files = (m.Plans ?? []).map((p) => p.file).filter((f): f is string => typeof f === 'string');
    return { made: new Set(files.map((f) => resolve(f))), foreignManifest: typeof m.EditingBatchJob !== 'object' };
  } catch {
    return { made: new Set(), foreignManifest: true };
  }
}

/**
 * Problems with the planned output files: one that is an input material (by real path), or an
 * existing file that no earlier reelsmith run in this folder made (unless `resume`, where the
 * folder is the job's own). Each names both files.
 */
export async function overwriteIssues(
  files: { index: number; file: string }[],
  inputs: { ref: string; path: string; field: string }[],
  outDir: string,
  opts: { resume?: boolean; field: string },
): Promise<{ path: string; reason: string }[]> {
  const issues: { path: string; reason: string }[] = [];
  const inputReal = new Map<string, { ref: string; field: string }>();
  for (const i of inputs) inputReal.set(await realpath(i.path).catch(() => resolve(i.path)), i);
  const earlier = opts.resume ? undefined : await earlierRun(outDir);
  const previous = earlier?.made;
  const manifest = resolve(outDir, 'manifest.json');
  for (const f of files) {
    const target = resolve(f.file);
    const real = await realpath(target).catch(() => target);
    const input = inputReal.get(real) ?? inputReal.get(target);
    if (input) {
      issues.push({
        path: opts.field,
        reason: `output ${f.index} (${target}) would overwrite the material ${JSON.stringify(input.ref)} named by ${input.field}`,
      });
      continue;
    }
    if (previous && !previous.has(target) && (await stat(target).catch(() => undefined))) {
      issues.push({
        path: opts.field,
        reason: `output ${f.index} would replace ${target}, which reelsmith did not make; remove it or choose another folder`,
      });
    }
  }
  if (inputReal.has(manifest))
    issues.push({ path: opts.field, reason: `the manifest (${manifest}) would overwrite a material; choose another folder` });
  else if (earlier?.foreignManifest)
    issues.push({ path: opts.field, reason: `${manifest} exists and is not a reelsmith manifest; remove it or choose another folder` });
  return issues;
}
