/**
 * Event callbacks, as IMS sends them: `BatchProduceMediaComplete` POSTed to the job's
 * `UserData.NotifyAddress` and to the global callback (SetEventCallback). Deliveries are durable
 * (SQLite) and at least once: retried with exponential backoff until the receiver answers 2xx or
 * the attempts run out, across restarts; every attempt's outcome is recorded. With AuthSwitch on,
 * requests carry `X-ICE-TIMESTAMP` (unix seconds) and `X-ICE-SIGNATURE` =
 * md5("<url>|<timestamp>|<AuthKey>"). Addresses resolving to loopback, private or link-local
 * networks are refused unless allowed.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { checkPublicUrl } from '../media/net.js';
import type { DB } from '../storage/db.js';
import { imsTime } from './store.js';

export interface EventCallbackSettings {
  CallbackType: 'HTTP';
  CallbackURL: string;
  EventTypeList: string;
  AuthSwitch: 'on' | 'off';
  AuthKey?: string;
}

export interface DispatcherOptions {
  /** Deliver to loopback/private/link-local addresses (tests, private deployments). */
  allowPrivate?: boolean;
  maxAttempts?: number;
  /** First retry delay; doubles per attempt. */
  baseDelayMs?: number;
  timeoutMs?: number;
  /** `UserId` in event bodies. */
  userId?: number;
}

/** The job's `UserData.NotifyAddress`, when it is an http(s) URL (MNS queue names are not served). */
function notifyAddress(userData: string | undefined): string | undefined {
  try {
    const n = userData ? (JSON.parse(userData) as { NotifyAddress?: unknown }).NotifyAddress : undefined;
    return typeof n === 'string' && /^https?:\/\//i.test(n) ? n : undefined;
  } catch {
    return undefined; // UserData that is not JSON carries no NotifyAddress
  }
}

export function iceSignature(url: string, timestamp: number, key: string): string {
  return createHash('md5').update(`${url}|${timestamp}|${key}`).digest('hex');
}

export class CallbackDispatcher {
  private timer?: NodeJS.Timeout;
  private busy = false;
  private stopped = false;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly o: DispatcherOptions = {},
  ) {}

  async getSettings(): Promise<EventCallbackSettings | undefined> {
    const r = await this.db.selectFrom('settings').select('value').where('key', '=', 'event_callback').executeTakeFirst();
    return r ? (JSON.parse(r.value) as EventCallbackSettings) : undefined;
  }

  async setSettings(s: EventCallbackSettings): Promise<void> {
    const value = JSON.stringify(s);
    await this.db
      .insertInto('settings')
      .values({ key: 'event_callback', value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  /** Records the `BatchProduceMediaComplete` deliveries of a finished job. */
  async jobCompleted(job: { JobId: string; Status: string; UserData?: string; UserId?: number }): Promise<void> {
    const messageBody = { Status: job.Status, JobId: job.JobId, ...(job.UserData ? { UserData: job.UserData } : {}) };
    await this.record(job.JobId, 'BatchProduceMediaComplete', messageBody, notifyAddress(job.UserData), job.UserId);
  }

  /**
   * Records the `ProduceMediaComplete` event of one output (IMS's per-output event), for a global
   * callback whose EventTypeList asks for it.
   */
  async outputCompleted(
    job: { JobId: string; UserData?: string; UserId?: number },
    output: { MediaURL: string; MediaId?: string; Status: string; ErrorCode: string | null; ErrorMessage: string | null },
  ): Promise<void> {
    const messageBody = {
      Status: output.Status,
      MediaURL: output.MediaURL,
      MediaId: output.MediaId ?? '',
      ProjectId: '',
      ErrorCode: output.ErrorCode ?? '',
      ErrorMessage: output.ErrorMessage ?? '',
      JobId: job.JobId,
      ...(job.UserData ? { UserData: job.UserData } : {}),
    };
    await this.record(job.JobId, 'ProduceMediaComplete', messageBody, undefined, job.UserId);
  }

  private async record(jobId: string, eventType: string, messageBody: object, notify: string | undefined, userId?: number): Promise<void> {
    const body = { EventType: eventType, UserId: userId ?? this.o.userId ?? 0, EventTime: imsTime(), MessageBody: messageBody };
    const global = await this.getSettings();
    const auth = global?.AuthSwitch === 'on' && global.AuthKey ? global.AuthKey : null;
    const targets: string[] = notify ? [notify] : [];
    if (
      global?.EventTypeList.split(',')
        .map((x) => x.trim())
        .includes(eventType)
    )
      targets.push(global.CallbackURL);
    const now = Date.now();
    for (const url of targets) {
      await this.db
        .insertInto('callbacks')
        .values({
          job_id: jobId,
          url,
          event_type: eventType,
          body: JSON.stringify(body),
          auth_key: auth,
          status: 'pending',
          attempts: 0,
          next_at: now,
          last_error: null,
          created_at: imsTime(),
          delivered_at: null,
        })
        .execute();
    }
    if (targets.length > 0) this.kick();
  }

  /** Deliveries of a job, with their attempts and outcome. */
  deliveries(jobId: string) {
    return this.db.selectFrom('callbacks').selectAll().where('job_id', '=', jobId).orderBy('id').execute();
  }

  start(): void {
    this.stopped = false;
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private kick(delay = 0): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pump(), delay);
  }

  private async pump(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      const due = await this.db
        .selectFrom('callbacks')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_at', '<=', Date.now())
        .orderBy('next_at')
        .limit(20)
        .execute();
      // Several processes share the table (a service and its workers): each delivery is claimed
      // first (its next attempt moved past this one's timeout), so only one process sends it.
      const claimed: typeof due = [];
      for (const d of due) {
        const r = await this.db
          .updateTable('callbacks')
          .set({ next_at: Date.now() + 2 * (this.o.timeoutMs ?? 10_000) })
          .where('id', '=', d.id)
          .where('status', '=', 'pending')
          .where('next_at', '=', d.next_at)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 1) claimed.push(d);
      }
      await Promise.all(claimed.map((d) => this.deliver(d)));
      const next = await this.db
        .selectFrom('callbacks')
        .select('next_at')
        .where('status', '=', 'pending')
        .orderBy('next_at')
        .limit(1)
        .executeTakeFirst();
      if (next) this.kick(Math.max(0, next.next_at - Date.now()));
    } catch {
      // The database did not answer (restarting, unreachable): deliveries wait, nothing is lost.
      this.busy = false;
      this.kick(2000);
    } finally {
      this.busy = false;
    }
  }

  private async deliver(d: { id: number; url: string; body: string; auth_key: string | null; attempts: number }): Promise<void> {
    const attempts = d.attempts + 1;
    let error: string | undefined;
    try {
      await checkPublicUrl(d.url, this.o.allowPrivate ?? false);
      const ts = Math.floor(Date.now() / 1000);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (d.auth_key) {
        headers['X-ICE-TIMESTAMP'] = String(ts);
        headers['X-ICE-SIGNATURE'] = iceSignature(d.url, ts, d.auth_key);
      }
      const r = await fetch(d.url, {
        method: 'POST',
        headers,
        body: d.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      });
      await r.arrayBuffer().catch(() => undefined);
      if (r.status < 200 || r.status >= 300) error = `HTTP ${r.status}`;
    } catch (err) {
      error = (err as Error).message;
    }
    const max = this.o.maxAttempts ?? 10;
    const update = error
      ? {
          attempts,
          last_error: error,
          status: attempts >= max || /not allowed|only http|not a URL/.test(error) ? 'failed' : 'pending',
          next_at: Date.now() + (this.o.baseDelayMs ?? 2000) * 2 ** (attempts - 1),
        }
      : { attempts, last_error: null, status: 'delivered', delivered_at: imsTime() };
    await this.db.updateTable('callbacks').set(update).where('id', '=', d.id).execute();
  }
}
