/** Where reelsmith keeps its state: the folder given (the shells pass $REELSMITH_HOME or --data), else ~/.reelsmith. */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ReelsmithError } from '../errors.js';

export interface Home {
  root: string;
  cache: string;
  media: string;
  database: string;
  music: string;
}

export function reelsmithHome(dir?: string): Home {
  const root = resolve(dir ?? join(homedir(), '.reelsmith'));
  const home = {
    root,
    cache: join(root, 'cache'),
    media: join(root, 'media'),
    database: join(root, 'reelsmith.db'),
    music: join(root, 'music'),
  };
  for (const d of [home.root, home.cache, home.media]) {
    try {
      mkdirSync(d, { recursive: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'EEXIST' || code === 'ENOTDIR' ? 'is a file, not a folder' : `cannot be created (${code ?? (err as Error).message})`;
      throw new ReelsmithError('InvalidParameter', `the data folder ${d} ${why}; set REELSMITH_HOME (or --data) to a folder`);
    }
  }
  return home;
}
