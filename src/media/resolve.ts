/**
 * Turns the materials a job names (paths, file:// and http(s):// URLs, library media IDs) into
 * local files and what the planner needs to know about them. A material that cannot be found or
 * decoded is recorded as an error for that material only; the planner decides which outputs it
 * affects.
 */
import { existsSync } from 'node:fs';
import { basename, extname, resolve as resolvePath } from 'node:path';
import { asReelsmithError, materialNotFound } from '../errors.js';
import type { MaterialInfo, Materials } from '../planner/inputs.js';
import { mapLimit } from '../util/concurrency.js';
import { type AccessPolicy, checkRegularFile, localFile } from './fetch.js';
import { refKind } from '../job/refs.js';
import { MEDIA_ID, type MediaLibrary } from './library.js';
import { probeCached } from './probe.js';

export interface ResolveContext {
  baseDir: string;
  cacheDir: string;
  library?: MediaLibrary;
  /** What local paths and URLs may reach (default: anything, as on the command line). */
  policy?: AccessPolicy;
}

export interface ResolvedMaterials {
  infos: Materials;
  paths: Map<string, string>;
}

function wordsOf(name: string): string {
  return basename(name, extname(name)).replace(/[_\-.]+/g, ' ');
}

async function resolveOne(ref: string, ctx: ResolveContext): Promise<{ path: string; info: MaterialInfo }> {
  let path: string;
  let text: string;
  // A bare word is a media ID, unless (on the command line) a file of that name is there.
  const bare = refKind(ref) === 'media-id';
  if (MEDIA_ID.test(ref) || (bare && (ctx.policy?.allowedDirs || !existsSync(resolvePath(ctx.baseDir, ref))))) {
    const rec = ctx.library ? await ctx.library.get(ref) : undefined;
    if (!rec) throw materialNotFound(ref, 'no such media ID in the library (add files with "reelsmith media add")');
    path = rec.file;
    await checkRegularFile(path, ref, Number.POSITIVE_INFINITY);
    text = [rec.title, rec.description, rec.tags.join(' '), wordsOf(rec.originalName)].join(' ');
  } else {
    path = await localFile(ref, ctx.baseDir, ctx.cacheDir, ctx.policy);
    text = wordsOf(/^https?:\/\//i.test(ref) ? new URL(ref).pathname : path);
  }
  const p = await probeCached(path, ref, ctx.cacheDir);
  // A file cut short is planned inside what decodes (its container may claim more).
  const truncated = p.decodable !== undefined && p.decodable < p.duration - 0.25;
  const duration = truncated ? (p.decodable as number) : p.duration;
  return {
    path,
    info: {
      ref,
      kind: p.kind,
      duration,
      width: p.width,
      height: p.height,
      hasAudio: p.hasAudio,
      text,
      ...(p.seekSafe === false ? { seekSafe: false } : {}),
      ...(truncated ? { claimedDuration: p.duration } : {}),
    },
  };
}

export async function resolveMaterials(refs: Iterable<string>, ctx: ResolveContext, concurrency = 4): Promise<ResolvedMaterials> {
  const unique = [...new Set(refs)];
  const infos: Materials = new Map();
  const paths = new Map<string, string>();
  await mapLimit(unique, concurrency, async (ref) => {
    try {
      const r = await resolveOne(ref, ctx);
      infos.set(ref, r.info);
      paths.set(ref, r.path);
    } catch (err) {
      infos.set(ref, asReelsmithError(err));
    }
  });
  return { infos, paths };
}
