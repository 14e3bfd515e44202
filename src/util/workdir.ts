/**
 * Scratch folders under the system's temporary folder (a render's voice track, samples, drawn
 * transitions), and the sweep of those whose process died before its `finally` ran (SIGKILL, the
 * kernel's out-of-memory killer, a power cut). A folder is named after the process that made it:
 * `reelsmith-<kind>-<pid>.<start>-XXXXXX`, where <start> is when that process started (Linux:
 * /proc/<pid>/stat field 22), so that a process id used again by another program does not keep a
 * dead render's folder alive, nor does a live one lose its own.
 *
 * The first folder a process makes sweeps away the others' folders whose process is gone and which
 * are older than `SWEEP_MIN_AGE_MS` (a guard for deployments whose containers share one /tmp with
 * their own process ids: there a live render's folder could look orphaned), and folders of earlier
 * versions (which did not name their process) older than a day.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SWEEP_MIN_AGE_MS = 10 * 60_000;

const NAME = /^reelsmith-(?:[a-z]+-)?(\d+)\.(\d+)-[A-Za-z0-9]{6}$/;
/** Folders of versions that did not name the process (reelsmith-XXXXXX): swept after a day. */
const LEGACY = /^reelsmith-(?:preview-|caption-)?[A-Za-z0-9]{6}$/;
export const LEGACY_MIN_AGE_MS = 24 * 3_600_000;

/** When process `pid` started (clock ticks since boot), or undefined when there is no such process (or no /proc). */
async function startOf(pid: number): Promise<string | undefined> {
  try {
    const s = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from its end.
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

let self: Promise<string> | undefined;
let swept: Promise<number> | undefined;

/**
 * Removes the scratch folders of processes that are gone (older than `minAgeMs`) from `dir`;
 * returns how many. Folders it cannot remove (another user's) are left.
 */
export async function sweepWorkDirs(dir = tmpdir(), minAgeMs = SWEEP_MIN_AGE_MS): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    const m = NAME.exec(name);
    const legacy = !m && LEGACY.test(name);
    if (!m && !legacy) continue;
    if (m) {
      const pid = Number(m[1]);
      if (pid === process.pid || (await startOf(pid)) === m[2]) continue;
    }
    const path = join(dir, name);
    const st = await stat(path).catch(() => undefined);
    if (!st?.isDirectory() || Date.now() - st.mtimeMs < (legacy ? Math.max(minAgeMs, LEGACY_MIN_AGE_MS) : minAgeMs)) continue;
    await rm(path, { recursive: true, force: true }).then(
      () => removed++,
      () => {},
    );
  }
  return removed;
}

/** A new scratch folder of this process (`kind`: what it is for, in its name). */
export async function makeWorkDir(kind?: string): Promise<string> {
  self ??= startOf(process.pid).then((s) => `${process.pid}.${s ?? '0'}`);
  swept ??= sweepWorkDirs().catch(() => 0);
  const [id] = await Promise.all([self, swept]);
  return mkdtemp(join(tmpdir(), `reelsmith-${kind ? `${kind}-` : ''}${id}-`));
}
