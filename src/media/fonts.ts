/** Custom caption and title fonts (`AsrConfig.FontUrl`, `TitleConfig.FontUrl`): a file and its family. */
import * as fontkit from 'fontkit';
import { materialUnreadable } from '../errors.js';
import { type AccessPolicy, localFile } from './fetch.js';

export interface FontFile {
  path: string;
  family: string;
}

export async function resolveFont(ref: string, baseDir: string, cacheDir: string, policy?: AccessPolicy): Promise<FontFile> {
  const path = await localFile(ref, baseDir, cacheDir, policy);
  try {
    const f = fontkit.openSync(path) as unknown as { familyName?: string; fonts?: { familyName: string }[] };
    const family = f.fonts ? f.fonts[0].familyName : f.familyName;
    if (!family) throw new Error('no family name');
    return { path, family };
  } catch (err) {
    throw materialUnreadable(ref, `not a TTF/OTF/WOFF font (${(err as Error).message})`);
  }
}
