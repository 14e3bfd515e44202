/**
 * Signature nonces seen by the HTTP service (SQLite): a request whose nonce was used already is a
 * replay and is refused. Nonces older than an hour are forgotten (requests that old are refused by
 * their timestamp anyway).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../storage/db.js';

export class NonceStore {
  constructor(private readonly db: Kysely<DB>) {}

  /** Remembers a signature nonce; false when it was already used (a replay). Forgets nonces older than `maxAgeS`. */
  async use(nonce: string, maxAgeS = 3600): Promise<boolean> {
    const now = Math.floor(Date.now() / 1000);
    await this.db
      .deleteFrom('nonces')
      .where('seen_at', '<', now - maxAgeS)
      .execute();
    const r = await this.db
      .insertInto('nonces')
      .values({ nonce, seen_at: now })
      .onConflict((oc) => oc.column('nonce').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }
}
