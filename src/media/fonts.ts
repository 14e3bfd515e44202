/** Custom caption and title fonts (`AsrConfig.FontUrl`, `TitleConfig.FontUrl`): a file and its family. */
import { existsSync } from 'node:fs';
import * as fontkit from 'fontkit';
import { materialNotFound, materialUnreadable } from '../errors.js';
import { localFile } from './fetch.js';

export interface FontFile {
  path: string;
  family: string;
}

export async function resolveFont(ref: string, baseDir: string, cacheDir: string): Promise<FontFile> {
  const path = await localFile(ref, baseDir, cacheDir);
  if (!existsSync(path)) throw materialNotFound(ref, `no font file at ${path}`);
  try {
    const f = fontkit.openSync(path) as unknown as { familyName?: string; fonts?: { familyName: string }[] };
    const family = f.fonts ? f.fonts[0].familyName : f.familyName;
    if (!family) throw new Error('no family name');
    return { path, family };
  } catch (err) {
    throw materialUnreadable(ref, `not a TTF/OTF/WOFF font (${(err as Error).message})`);
  }
}
