/**
 * A real, throwaway PostgreSQL for tests: Debian's binaries (`initdb`, `pg_ctl`), a cluster in a
 * temporary folder on a free port, trust authentication on loopback, stopped and removed at the end.
 * As root, the cluster runs as the `postgres` user (PostgreSQL refuses to run as root).
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  throw new Error('PostgreSQL is not installed (apt-get install postgresql; scripts/install.sh does it)');
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface TestPostgres {
  /** postgres://… of a fresh database for one test suite. */
  url: string;
  /** A new empty database on the same server. */
  database(name: string): Promise<string>;
  stop(): Promise<void>;
  /** The server down for `ms` (a fast shutdown: connections cut), then up again on the same port and data. */
  outage(ms: number): Promise<void>;
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'rs-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot)
    chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const run = (cmd: string, args: string[]) =>
    asRoot ? execa('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : execa(join(bin, cmd), args);
  const data = join(dir, 'data');
  await run('initdb', ['-D', data, '-U', 'reelsmith', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const start = () =>
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'log'),
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200`,
      'start',
    ]);
  await start();
  const base = `postgres://reelsmith@127.0.0.1:${port}`;
  const database = async (name: string) => {
    await run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'reelsmith', name]);
    return `${base}/${name}`;
  };
  return {
    url: await database('reelsmith_test'),
    database,
    async outage(ms: number) {
      await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      await new Promise((r) => setTimeout(r, ms));
      await start();
    },
    async stop() {
      await run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
