/**
 * The local media library: files registered with a title, description and tags get an IMS-style
 * media ID (32 hex characters) that jobs can name instead of a path or URL. Registered files are
 * copied (or hard-linked) into the library folder, so the ID stays valid when the original moves.
 */
import { createHash, randomUUID } from 'node:crypto';
import { copyFile, link, mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Kysely } from 'kysely';
import { createReadStream } from 'node:fs';
import { ReelsmithError } from '../errors.js';
import type { DB } from '../storage/db.js';
import { type Cursor, keysetPage, type PageQuery } from '../storage/paging.js';
import { probe } from './probe.js';

export interface MediaRecord {
  id: string;
  file: string;
  originalName: string;
  title: string;
  description: string;
  tags: string[];
  kind: 'video' | 'image' | 'audio';
  duration: number | null;
  width: number;
  height: number;
  createdAt: string;
  inputUrl: string | null;
  size: number | null;
}

export const MEDIA_ID = /^[0-9a-f]{32}$/;

async function fileHash(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export class MediaLibrary {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly dir: string,
  ) {}

  async add(
    path: string,
    meta: { title?: string; description?: string; tags?: string[]; inputUrl?: string; sourceJob?: string } = {},
  ): Promise<MediaRecord> {
    const info = await probe(path, basename(path));
    await mkdir(this.dir, { recursive: true });
    const stored = `${await fileHash(path)}${extname(path).toLowerCase()}`;
    const tmp = join(this.dir, `.tmp-${randomUUID()}`);
    // A hard link where it can be (an output registered from the same disk costs no space), else a copy.
    await link(path, tmp).catch(() => copyFile(path, tmp));
    await rename(tmp, join(this.dir, stored));
    const row = {
      id: randomUUID().replace(/-/g, ''),
      file: stored,
      original_name: basename(path),
      title: meta.title ?? basename(path, extname(path)),
      description: meta.description ?? '',
      tags: JSON.stringify(meta.tags ?? []),
      kind: info.kind,
      duration: Number.isFinite(info.duration) ? info.duration : null,
      width: info.width,
      height: info.height,
      created_at: new Date().toISOString(),
      input_url: meta.inputUrl ?? null,
      size: (await stat(path)).size,
      source_job: meta.sourceJob ?? null,
    };
    await this.db.insertInto('media').values(row).execute();
    return this.toRecord(row);
  }

  /**
   * The record of a job's output: this very file (same content) from this place, registered once
   * however often the job publishes it (an output published again by a resumed job); a new file at
   * the same place, or the same file from another job (renders are deterministic: an identical
   * output of an identical job), is a new record.
   */
  async addOnce(path: string, meta: { title?: string; inputUrl: string; sourceJob: string }): Promise<MediaRecord> {
    const stored = `${await fileHash(path)}${extname(path).toLowerCase()}`;
    const row = await this.db
      .selectFrom('media')
      .selectAll()
      .where('input_url', '=', meta.inputUrl)
      .where('file', '=', stored)
      .where('source_job', '=', meta.sourceJob)
      .executeTakeFirst();
    return row ? this.toRecord(row) : this.add(path, meta);
  }

  /** Changes what is said of an item (title, description, tags); the file stays. */
  async update(id: string, m: { title?: string; description?: string; tags?: string[] }): Promise<MediaRecord | undefined> {
    const set = {
      ...(m.title !== undefined ? { title: m.title } : {}),
      ...(m.description !== undefined ? { description: m.description } : {}),
      ...(m.tags !== undefined ? { tags: JSON.stringify(m.tags) } : {}),
    };
    if (Object.keys(set).length > 0) await this.db.updateTable('media').set(set).where('id', '=', id).execute();
    return this.get(id);
  }

  async get(id: string): Promise<MediaRecord | undefined> {
    const row = await this.db.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.toRecord(row) : undefined;
  }

  async findByInputUrl(url: string): Promise<MediaRecord | undefined> {
    const row = await this.db.selectFrom('media').selectAll().where('input_url', '=', url).executeTakeFirst();
    return row ? this.toRecord(row) : undefined;
  }

  /** A page of the library (keyset paging on creation time), with filters. */
  async page(
    q: PageQuery & { kind?: string; startTime?: string; endTime?: string },
  ): Promise<{ items: MediaRecord[]; total: number; next?: Cursor }> {
    let sel = this.db.selectFrom('media').selectAll();
    if (q.kind) sel = sel.where('kind', '=', q.kind);
    if (q.startTime) sel = sel.where('created_at', '>=', q.startTime);
    if (q.endTime) sel = sel.where('created_at', '<=', q.endTime);
    const total = Number(
      (
        await sel
          .clearSelect()
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst()
      )?.n ?? 0,
    );
    const { rows, next } = await keysetPage(sel, q);
    return { items: rows.map((r) => this.toRecord(r)), total, next };
  }

  async list(): Promise<MediaRecord[]> {
    const rows = await this.db.selectFrom('media').selectAll().orderBy('created_at').execute();
    return rows.map((r) => this.toRecord(r));
  }

  async remove(id: string): Promise<void> {
    const rec = await this.get(id);
    if (!rec) throw new ReelsmithError('InvalidMaterial.NotFound', `media ${id} is not in the library`);
    await this.db.deleteFrom('media').where('id', '=', id).execute();
    const others = await this.db.selectFrom('media').select('id').where('file', '=', basename(rec.file)).execute();
    if (others.length === 0) await rm(rec.file, { force: true });
  }

  private toRecord(r: DB['media']): MediaRecord {
    return {
      id: r.id,
      file: join(this.dir, r.file),
      originalName: r.original_name,
      title: r.title,
      description: r.description,
      tags: JSON.parse(r.tags) as string[],
      kind: r.kind as MediaRecord['kind'],
      duration: r.duration,
      width: r.width,
      height: r.height,
      createdAt: r.created_at,
      inputUrl: r.input_url,
      size: r.size,
    };
  }
}
