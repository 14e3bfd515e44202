/**
 * Access keys made by an operator in the console (or through the API), kept in the database next
 * to the keys of the configuration. The service's key table (id → secret, id → account) is one map
 * shared with the signature checks: keys of the database are merged into it at start, after each
 * change and, on a database several services share, every few seconds (another may have changed them). Keys of the
 * configuration are the operators' and are never changed here.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../storage/db.js';
import { imsTime } from './store.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const token = (n: number) => Array.from(randomBytes(n), (b) => ALNUM[b % ALNUM.length]).join('');

export interface AccessKeyInfo {
  AccessKeyId: string;
  Description: string;
  UserId: number | null;
  CreateTime: string | null;
  /** `configuration` (an operator's) or `console` (made here). */
  Source: 'configuration' | 'console';
}

export class AccessKeys {
  /** Ids of the keys this store put in the map (so that a key deleted elsewhere leaves it). */
  private readonly mine = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly db: Kysely<DB>,
    /** The service's key table, changed in place. */
    private readonly keys: Map<string, string>,
    private readonly accounts: Map<string, number>,
    /** The configuration's keys: the operators'. */
    readonly operators: ReadonlySet<string>,
  ) {}

  /**
   * Merges the database's keys into the service's table now, and every `everySeconds` when other
   * processes may change them (a database shared by several services); else changes come through
   * this store only.
   */
  async start(everySeconds?: number): Promise<void> {
    await this.sync();
    if (everySeconds) this.timer = setInterval(() => void this.sync().catch(() => {}), everySeconds * 1000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async sync(): Promise<void> {
    const rows = await this.db.selectFrom('access_keys').selectAll().execute();
    const seen = new Set(rows.map((r) => r.id));
    for (const id of this.mine)
      if (!seen.has(id)) {
        this.keys.delete(id);
        this.accounts.delete(id);
        this.mine.delete(id);
      }
    for (const r of rows) {
      if (this.operators.has(r.id)) continue;
      this.keys.set(r.id, r.secret);
      if (r.user_id !== null) this.accounts.set(r.id, r.user_id);
      this.mine.add(r.id);
    }
  }

  async list(): Promise<AccessKeyInfo[]> {
    const rows = await this.db.selectFrom('access_keys').selectAll().orderBy('created_at').execute();
    return [
      ...[...this.operators].map((id) => ({
        AccessKeyId: id,
        Description: 'from the configuration',
        UserId: this.accounts.get(id) ?? null,
        CreateTime: null,
        Source: 'configuration' as const,
      })),
      ...rows.map((r) => ({
        AccessKeyId: r.id,
        Description: r.description,
        UserId: r.user_id,
        CreateTime: r.created_at,
        Source: 'console' as const,
      })),
    ];
  }

  /** A new key pair (its secret is shown this once). */
  async create(o: { description?: string; userId?: number }): Promise<{ AccessKeyId: string; AccessKeySecret: string }> {
    const id = `LTAI${token(20)}`;
    const secret = token(30);
    await this.db
      .insertInto('access_keys')
      .values({ id, secret, user_id: o.userId ?? null, description: o.description ?? '', created_at: imsTime() })
      .execute();
    await this.sync();
    return { AccessKeyId: id, AccessKeySecret: secret };
  }

  /** Deletes a key made here; false when there is none by that id. */
  async remove(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('access_keys').where('id', '=', id).executeTakeFirst();
    await this.sync();
    return Number(r.numDeletedRows) > 0;
  }
}
