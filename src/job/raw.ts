/**
 * Checks of a job's raw JSON before any schema sees it, so that hostile or odd values get a clear
 * answer instead of a crash: nesting deeper than a job ever needs (a recursive walk would overflow
 * the stack), keys that name object internals (`__proto__`, `constructor`, `prototype`: they must
 * never reach a lookup or change a setting), and more values than any job holds. The walk is
 * iterative and stops at the first problems, so it is cheap on any input.
 */

/** Deepest nesting a job needs is about 6; 32 leaves room for `SceneInfo` and `UserData`. */
export const MAX_DEPTH = 32;
/** Values (objects, arrays, scalars) in one config; a job of 40 groups × 200 materials is ~10,000. */
export const MAX_VALUES = 100_000;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface RawIssue {
  path: string;
  reason: string;
}

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}]`;
}

/** Problems of a raw value (from JSON.parse or a JSON body), each with its path; [] when it is safe to read. */
export function rawIssues(value: unknown, root: string, maxIssues = 10): RawIssue[] {
  const issues: RawIssue[] = [];
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: root, depth: 0 }];
  let count = 0;
  while (stack.length > 0 && issues.length < maxIssues) {
    const { v, path, depth } = stack.pop()!;
    if (++count > MAX_VALUES) {
      issues.push({ path: root, reason: `holds more than ${MAX_VALUES} values` });
      break;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_DEPTH) {
      issues.push({ path, reason: `is nested more than ${MAX_DEPTH} levels deep` });
      continue;
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: childPath(path, i), depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i];
      if (FORBIDDEN_KEYS.has(k)) {
        issues.push({ path: childPath(path, k), reason: `"${k}" is not allowed as a key` });
        continue;
      }
      stack.push({ v: (v as Record<string, unknown>)[k], path: childPath(path, k), depth: depth + 1 });
    }
  }
  return issues;
}

/** A value for an error message: quoted and cut to `max` characters, so that a 1 MB value stays a line. */
export function shown(value: unknown, max = 60): string {
  const s = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const cut = s.length > max ? `${s.slice(0, max)}…(${s.length} characters)` : s;
  // Control characters are shown escaped, never as themselves.
  return JSON.stringify(cut);
}
