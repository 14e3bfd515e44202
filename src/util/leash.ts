/**
 * Subprocesses that die with reelsmith, and renders within a memory bound: FFmpeg, ffprobe and
 * espeak-ng are started through a tiny launcher (leash.c, built once with the system's C compiler
 * into the cache) that asks the kernel to kill them when their parent dies and can limit their
 * address space. Without a C compiler, or off Linux, they start directly (and a kill -9 of
 * reelsmith may leave them running until they finish).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { cCompiler, compileCached } from './cc.js';

let launcher: Promise<string | undefined> | undefined;

async function build(): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  const cc = await cCompiler();
  if (!cc) return undefined;
  try {
    const src = await readFile(new URL('./leash.c', import.meta.url), 'utf8');
    // Content-addressed, in the user's own cache (never a shared temporary folder).
    return await compileCached(cc, src, ['-O2'], join(homedir(), '.cache', 'reelsmith', 'bin'), 'leash-', '');
  } catch (err) {
    process.emitWarning(`leash: build failed; subprocesses start directly (${(err as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

/**
 * The command and arguments that run `cmd args` leashed to this process (or as they are), with its
 * address space bounded to `maxMemoryBytes` when given.
 */
export async function leashed(cmd: string, args: string[], o: { maxMemoryBytes?: number } = {}): Promise<[string, string[]]> {
  launcher ??= build();
  const exe = await launcher;
  if (!exe) return [cmd, args];
  const mem = o.maxMemoryBytes && o.maxMemoryBytes > 0 ? ['-m', String(Math.floor(o.maxMemoryBytes))] : [];
  return [exe, [...mem, cmd, ...args]];
}
