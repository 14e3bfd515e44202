import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Built by the install step (npm run build:console) into dist/console, served by `reelsmith serve`
// at / (its assets under /console/). JSX is compiled by Vite itself for Preact (no Babel); nothing
// is fetched from the internet at run time.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: fileURLToPath(new URL('../dist/console', import.meta.url)), emptyOutDir: true, sourcemap: true },
  logLevel: 'warn',
});
