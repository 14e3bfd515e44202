/**
 * The architecture's rules, checked on the sources: configuration is passed in (only the shells
 * read the environment), dependencies point inwards (the planner is pure), no import circles.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const src = join(root, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const files = sources(src);
const rel = (f: string) => relative(root, f);
/** Relative imports of a source file, as repository paths of .ts files. */
const importsOf = (f: string) =>
  [...readFileSync(f, 'utf8').matchAll(/from '(\.[^']+)'/g)].map((m) => rel(normalize(join(dirname(f), m[1].replace(/\.js$/, '.ts')))));

describe('architecture', () => {
  it('reads the environment only in the shells', () => {
    const readers = files.filter((f) => !rel(f).startsWith('src/shells/') && /process\.env/.test(readFileSync(f, 'utf8')));
    expect(readers.map(rel)).toEqual([]);
  });

  it('keeps the planner pure: no renderer, no shell, no service, no I/O module', () => {
    const planner = files.filter((f) => rel(f).startsWith('src/planner/'));
    const bad = planner.flatMap((f) =>
      importsOf(f)
        .filter((i) => /^src\/(render|shells|service|batch|media|storage|speech\/(espeak|openai|synth))/.test(i))
        .map((i) => `${rel(f)} → ${i}`),
    );
    const io = planner.filter((f) => /from 'node:(fs|child_process|net|http)/.test(readFileSync(f, 'utf8'))).map(rel);
    expect([...bad, ...io]).toEqual([]);
  });

  it('has no import circles', () => {
    const graph = new Map(files.map((f) => [rel(f), importsOf(f)]));
    const cycles: string[] = [];
    const done = new Set<string>();
    const path: string[] = [];
    const visit = (n: string) => {
      if (path.includes(n)) {
        cycles.push([...path.slice(path.indexOf(n)), n].join(' → '));
        return;
      }
      if (done.has(n)) return;
      path.push(n);
      for (const m of graph.get(n) ?? []) visit(m);
      path.pop();
      done.add(n);
    };
    for (const n of graph.keys()) visit(n);
    expect(cycles).toEqual([]);
  });
});
