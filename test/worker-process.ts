/**
 * `reelsmith worker` as its own process (the workers test and the workers bench): started with
 * the service's database, public URL, data folder and configuration, resolved once it says it is
 * ready; what it says is kept (the last 4,000 characters) to show when it ends unexpectedly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export interface WorkerProcess {
  child: ChildProcess;
  /** The end of what it printed so far. */
  said(): string;
}

export function startWorkerProcess(o: {
  database: string;
  publicUrl: string;
  data: string;
  config: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  echo?: boolean;
}): Promise<WorkerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        join(import.meta.dirname, '..', 'bin', 'reelsmith.js'),
        'worker',
        '--database',
        o.database,
        '--public-url',
        o.publicUrl,
        '--data',
        o.data,
        '--config',
        o.config,
        ...(o.args ?? []),
      ],
      { env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const hear = (c: Buffer) => {
      if (o.echo) process.stderr.write(c);
      out = (out + c.toString()).slice(-4000);
    };
    child.stderr!.on('data', hear);
    child.stdout!.on('data', (c: Buffer) => {
      hear(c);
      if (out.includes('reelsmith worker ready')) resolve({ child, said: () => out });
    });
    child.on('exit', (code) => reject(new Error(`worker exited (${code}): ${out.slice(-500)}`)));
  });
}
