import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeSampleMedia } from '../examples/sample-media.js';
import { makeTestMedia } from './media.js';

/** Generates the small test media once per run (kept between runs under test/.media). */
export default async function setup() {
  const dir = join(import.meta.dirname, '.media');
  mkdirSync(dir, { recursive: true });
  await makeSampleMedia(dir, 0.25);
  await makeTestMedia(dir);
  process.env.REELSMITH_TEST_MEDIA = dir;
}
