/**
 * Keyset paging on (created_at, id), newest first or oldest first: stable under concurrent inserts,
 * unlike offsets. The cursor is the last row's (created_at, id).
 */
import { type SelectQueryBuilder, sql } from 'kysely';

export interface Cursor {
  t: string;
  id: string;
}

export interface PageQuery {
  asc?: boolean;
  after?: Cursor;
  limit: number;
}

/** One page of rows after the cursor, and the cursor of the next page when there is one. */
export async function keysetPage<DB, TB extends keyof DB, Row extends { created_at: string; id: string }>(
  sel: SelectQueryBuilder<DB, TB, Row>,
  q: PageQuery,
): Promise<{ rows: Row[]; next?: Cursor }> {
  const op = sql.raw(q.asc ? '>' : '<');
  const dir = sql.raw(q.asc ? 'asc' : 'desc');
  let s = sel;
  if (q.after) s = s.where(sql<boolean>`(created_at, id) ${op} (${q.after.t}, ${q.after.id})`);
  const rows = await s
    .orderBy(sql`created_at ${dir}`)
    .orderBy(sql`id ${dir}`)
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { rows: page, next: rows.length > q.limit && last ? { t: last.created_at, id: last.id } : undefined };
}
