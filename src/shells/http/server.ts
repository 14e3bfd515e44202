/**
 * The IMS-compatible HTTP service (thin shell): the RPC protocol of Alibaba Cloud IMS
 * (`Action`, `Version=2020-11-09`, parameters in the query string or a form body, JSON answers with
 * `RequestId`, IMS error bodies), authenticated with AccessKey pairs and signature v1, over the job
 * store and the job intake (the in-process runner, or the queue the workers take jobs from).
 */
import { randomUUID } from 'node:crypto';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AccessPolicy, isInside } from '../../media/fetch.js';
import { namedRefs } from '../../job/refs.js';
import { rawIssues, shown } from '../../job/raw.js';
import { createError, imsCode, JobValidationError, ReelsmithError } from '../../errors.js';
import type { CallbackDispatcher } from '../../service/callbacks.js';
import { imsTime, paramsHash } from '../../service/store.js';
import { fetchToCache } from '../../media/fetch.js';
import type { SubJob } from '../../batch/manifest.js';
import type { Prepared } from '../../batch/produce.js';
import type { ParsedJob } from '../../job/job.js';
import type { MediaLibrary, MediaRecord } from '../../media/library.js';
import type { JobStore } from '../../service/store.js';
import type { WorkerRegistry } from '../../service/workers.js';
import type { AccessKeys } from '../../service/keys.js';
import type { NonceStore } from './nonces.js';
import { type Action, actionParams, type ParamsOf, parseTimestamp } from './params.js';
import { bearerAuth, registerRest } from './rest.js';
import { registerConsoleApi } from './console-api.js';
import type { SpeechEngine } from '../../speech/engine.js';
import { existsSync, readFileSync } from 'node:fs';
import { acs3Signature, parseAcs3Authorization, rpcSignatureV1, signaturesEqual } from './signature.js';
import { createHash } from 'node:crypto';
import { VOICES } from '../../speech/voices.js';
import { TRANSITIONS, VFX_BASIC, VFX_OTHER } from '../../job/catalogue.js';
import { parseJobParams } from '../../job/parse.js';

export const IMS_VERSION = '2020-11-09';

/** IMS's view of a library item: MediaBasicInfo and, when asked, its FileInfoList. */
function mediaInfo(r: MediaRecord, withFiles: boolean) {
  const time = imsTime(new Date(r.createdAt));
  const MediaBasicInfo = {
    MediaId: r.id,
    InputURL: r.inputUrl ?? '',
    MediaType: r.kind,
    BusinessType: '',
    Source: 'reelsmith',
    Title: r.title,
    Description: r.description,
    MediaTags: r.tags.join(','),
    CoverURL: '',
    Status: 'Normal',
    CreateTime: time,
    ModifiedTime: time,
  };
  const FileBasicInfo = {
    FileName: r.originalName,
    FileStatus: 'Normal',
    FileType: 'source_file',
    FileSize: r.size ?? 0,
    FileUrl: r.inputUrl ?? '',
    FormatName: r.originalName.split('.').pop() ?? '',
    Duration: r.duration === null || !Number.isFinite(r.duration) ? '' : r.duration.toFixed(3),
    Width: String(r.width),
    Height: String(r.height),
    CreateTime: time,
    ModifiedTime: time,
  };
  return { MediaId: r.id, MediaBasicInfo, ...(withFiles ? { FileInfoList: [{ FileBasicInfo }] } : {}) };
}

const token = {
  encode: (t: { t: string; id: string }) => Buffer.from(JSON.stringify(t)).toString('base64url'),
  decode(s: string | undefined): { t: string; id: string } | undefined {
    if (!s) return undefined;
    try {
      const v = JSON.parse(Buffer.from(s, 'base64url').toString()) as { t: string; id: string };
      if (typeof v.t === 'string' && typeof v.id === 'string') return v;
    } catch {
      // not ours: refused below
    }
    throw new ReelsmithError('InvalidParameter', 'NextToken: not a token this service gave');
  },
};

/** Where accepted jobs go, and whether it takes more. */
export interface JobIntake {
  isFull(): Promise<boolean>;
  enqueue(jobId: string): Promise<void>;
  /** Renders one output of a job again (it was opened again in the store). */
  renderOutput(jobId: string, index: number): Promise<void>;
}

export interface ServerOptions {
  library: MediaLibrary;
  /** The built web console (dist/console), served at / and /console/; absent: / answers how to build it. */
  consoleDir?: string;
  /** The speech engine of voice samples (default espeak-ng). */
  engine?: SpeechEngine;
  /** Largest upload into the library, bytes (default 2 GiB). */
  maxUploadBytes?: number;
  /** The music library's folder (uploads with a style join it). */
  musicDir?: string;
  /** Access keys made by operators. */
  accessKeys?: AccessKeys;
  /** The console's password sign-in: the password, and the key it gives. */
  consoleSignIn?: { password: string; keyId: string };
  /** The secret media links are signed with (the database's, the same in every process). */
  linkSecret?: () => Promise<string>;
  /** Draws a caption on a still (previews); absent: none. */
  captionStill?: (c: { text: string; asrConfig: unknown; voice?: string; width: number; height: number }, outPng: string) => Promise<void>;
  /** Draws a transition's or an effect's contact strip (previews); absent: none. */
  strip?: (kind: 'transition' | 'effect', name: string, outPng: string) => Promise<void>;
  /** A job prepared as its renders would be (previews); absent: no previews. */
  prepareJob?: (parsed: ParsedJob, seed: string) => Promise<Prepared>;
  /** A job as answered (outputs' links signed anew from their objects); default as stored. */
  present?: <J extends { SubJobList: SubJob[] }>(job: J) => Promise<J>;
  /** Where fetched media are cached before they join the library. */
  cacheDir: string;
  /** Served at /outputs/<JobId>/<file> (with range requests, so that browsers can play them). */
  outputsDir?: string;
  store: JobStore;
  /** Signature nonces seen (replays are refused). */
  nonces: NonceStore;
  /** Where accepted jobs go: the in-process runner, or the queue of the workers. */
  intake: JobIntake;
  /** The workers' heartbeats (the scaled deployment), for /healthz and /api/v1/workers. */
  workers?: WorkerRegistry;
  callbacks: CallbackDispatcher;
  /** AccessKeyId → AccessKeySecret. */
  keys: Map<string, string>;
  /** AccessKeyId → the account's UserId (IMS callbacks carry it); 0 when not given. */
  accounts?: Map<string, number>;
  /** Relative material paths in submitted jobs resolve against this folder. */
  baseDir?: string;
  /** Accepted clock skew of `Timestamp`, seconds (IMS: 15 minutes). */
  maxSkewS?: number;
  /** Folders whose files jobs may name by local path (default: none, as in IMS). */
  allowedMediaDirs?: string[];
  /** Longest output a job may plan, seconds (default 600). */
  maxOutputDuration?: number;
  /** Limits of material downloads (RegisterMediaInfo). */
  download?: AccessPolicy;
  /** Fastify's logger (pino): true, options, or an instance; default off. */
  logger?: FastifyServerOptions['logger'];
}

/** Whether a local path (or file:// URL) lies in one of the allowed folders, by name only. */
function localRefAllowed(ref: string, baseDir: string, allowed: string[]): boolean {
  let path: string;
  try {
    path = /^file:\/\//i.test(ref) ? fileURLToPath(ref) : resolvePath(baseDir, ref);
  } catch {
    return false;
  }
  return allowed.some((d) => isInside(resolvePath(d), path));
}

/** Request ids as IMS writes them (upper-case UUIDs): the answer's RequestId and the log's reqId. */
const requestId = () => randomUUID().toUpperCase();

function paramsOf(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const src of [req.query, req.body]) {
    if (!src || typeof src !== 'object') continue;
    for (const [k, v] of Object.entries(src as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

function checkTime(o: ServerOptions, ts: number): void {
  if (Number.isNaN(ts)) throw createError('InvalidTimeStamp.Format');
  if (Math.abs(Date.now() - ts) > (o.maxSkewS ?? 900) * 1000) throw createError('InvalidTimeStamp.Expired');
}

/** V3 (`Authorization: ACS3-HMAC-SHA256 …`), as @alicloud/openapi-client signs. */
async function authenticateAcs3(o: ServerOptions, req: FastifyRequest, rawBody: string): Promise<string> {
  const auth = parseAcs3Authorization(String(req.headers.authorization));
  if (!auth) throw new ReelsmithError('IncompleteSignature', 'The Authorization header is not a well-formed ACS3-HMAC-SHA256 signature.');
  const secret = o.keys.get(auth.accessKeyId);
  if (!secret) throw createError('InvalidAccessKeyId.NotFound');
  for (const h of ['host', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256', 'x-acs-action', 'x-acs-version']) {
    if (!auth.signedHeaders.includes(h) || !req.headers[h])
      throw new ReelsmithError(
        'IncompleteSignature',
        `The request signature does not conform to Aliyun standards: header "${h}" must be present and signed.`,
      );
  }
  checkTime(o, parseTimestamp(String(req.headers['x-acs-date'])));
  const payloadHash = createHash('sha256').update(rawBody).digest('hex');
  if (payloadHash !== String(req.headers['x-acs-content-sha256']).toLowerCase())
    throw new ReelsmithError('SignatureDoesNotMatch', 'The x-acs-content-sha256 header does not match the request body.');
  const path = (req.url.split('?')[0] || '/').replace(/\+/g, '%20');
  const query = Object.fromEntries(Object.entries(req.query as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<
    string,
    string
  >;
  const expected = acs3Signature({ method: req.method, path, query, headers: req.headers }, auth.signedHeaders, payloadHash, secret);
  if (!signaturesEqual(expected, auth.signature)) throw createError('SignatureDoesNotMatch');
  if (!(await o.nonces.use(`${auth.accessKeyId}:${req.headers['x-acs-signature-nonce']}`))) throw createError('SignatureNonceUsed');
  return auth.accessKeyId;
}

async function authenticate(o: ServerOptions, method: string, p: Record<string, string>): Promise<string> {
  for (const k of ['AccessKeyId', 'Signature', 'SignatureMethod', 'SignatureNonce', 'Timestamp']) {
    if (!p[k]) throw createError('MissingParameter', k);
  }
  const secret = o.keys.get(p.AccessKeyId);
  if (!secret) throw createError('InvalidAccessKeyId.NotFound');
  if (p.SignatureMethod !== 'HMAC-SHA1')
    throw new ReelsmithError('InvalidParameter', `SignatureMethod "${p.SignatureMethod}" is not supported (HMAC-SHA1).`);
  checkTime(o, parseTimestamp(p.Timestamp));
  const expected = rpcSignatureV1(method, p, secret);
  if (!signaturesEqual(expected, p.Signature)) throw createError('SignatureDoesNotMatch');
  if (!(await o.nonces.use(`${p.AccessKeyId}:${p.SignatureNonce}`))) throw createError('SignatureNonceUsed');
  return p.AccessKeyId;
}

/** Who is asking: the access key the request was signed (or sent) with. */
export interface Caller {
  accessKeyId?: string;
}
type Handler = (p: Record<string, string>, caller?: Caller) => Promise<object>;
type Handlers = { [A in Action]: (p: ParamsOf<A>, caller: Caller) => Promise<object> };

/** Each action's handler behind its parameters' schema: raw parameters in, the answer out. */
function actions(o: ServerOptions): Record<string, Handler> {
  const handlers = actionHandlers(o);
  return Object.fromEntries(
    (Object.keys(handlers) as Action[]).map((name) => [
      name,
      (raw: Record<string, string>, caller: Caller = {}) =>
        (handlers[name] as (p: unknown, c: Caller) => Promise<object>)(actionParams(name, raw), caller),
    ]),
  );
}

/**
 * A submission's job, parsed and checked as the service takes it (local paths only in allowed
 * folders); refusals name the field (JobValidationError) and are always the submission's (400).
 */
export function checkSubmission(
  o: Pick<ServerOptions, 'baseDir' | 'maxOutputDuration' | 'allowedMediaDirs'>,
  p: { InputConfig: string; EditingConfig: string; OutputConfig: string; UserData?: string },
) {
  try {
    const parsed = parseJobParams(p, o);
    // Local paths reach the server's own disk: refused unless in an allowed folder, decided on
    // the names alone (the answer never tells whether a path exists).
    const local = namedRefs(parsed.job).filter(
      (n) => n.kind === 'local' && !localRefAllowed(n.ref, parsed.job.baseDir, o.allowedMediaDirs ?? []),
    );
    if (local.length > 0)
      throw new JobValidationError(
        local.map((n) => ({
          path: n.path,
          reason: `${shown(n.ref)}: local files are not accepted through the API (use http(s) URLs or media IDs; an operator may allow folders with allowedMediaDirs)`,
        })),
      );
    return parsed;
  } catch (err) {
    // Any other error of a submission is the submission's (the catalogue gives 400s), never a 500.
    if (err instanceof ReelsmithError && err.status >= 500) throw new ReelsmithError('InvalidParameter', err.message);
    throw err;
  }
}

function actionHandlers(o: ServerOptions): Handlers {
  return {
    async SubmitBatchMediaProducingJob(p, caller) {
      const jobType = checkSubmission(o, p).job.type;
      const hash = paramsHash({
        InputConfig: p.InputConfig,
        EditingConfig: p.EditingConfig,
        OutputConfig: p.OutputConfig,
        UserData: p.UserData,
      });
      const mismatch = () => createError('IdempotentParameterMismatch');
      // A full queue refuses new work; a retry of an accepted submission (same ClientToken) still answers.
      if (await o.intake.isFull()) {
        const known = p.ClientToken ? await o.store.findByClientToken(p.ClientToken) : undefined;
        if (known?.paramsHash && known.paramsHash !== hash) throw mismatch();
        if (known) return { JobId: known.id };
        throw createError('Throttling.User');
      }
      const {
        id,
        created,
        mismatch: reused,
      } = await o.store.create({
        paramsHash: hash,
        clientToken: p.ClientToken || undefined,
        jobType,
        inputConfig: p.InputConfig,
        editingConfig: p.EditingConfig,
        outputConfig: p.OutputConfig,
        userData: p.UserData || undefined,
        // The account of the key it was submitted with (callbacks' UserId).
        userId: caller.accessKeyId ? o.accounts?.get(caller.accessKeyId) : undefined,
      });
      if (reused) throw mismatch();
      if (created) await o.intake.enqueue(id);
      return { JobId: id };
    },
    async ListBatchMediaProducingJobs(p) {
      const max = p.MaxResults;
      const after = token.decode(p.NextToken);
      const r = await o.store.list({
        jobId: p.JobId,
        jobType: p.JobType,
        status: p.Status,
        startTime: p.StartTime,
        endTime: p.EndTime,
        asc: p.SortBy === 'asc',
        after,
        limit: max,
      });
      return {
        EditingBatchJobList: r.jobs.map(({ SubJobList: _, ...job }) => job),
        MaxResults: max,
        ...(r.next ? { NextToken: token.encode(r.next) } : {}),
      };
    },
    async SetEventCallback(p) {
      const auth = p.AuthSwitch;
      await o.callbacks.setSettings({
        CallbackType: 'HTTP',
        CallbackURL: p.CallbackURL,
        EventTypeList: p.EventTypeList || 'BatchProduceMediaComplete',
        AuthSwitch: auth,
        ...(auth === 'on' ? { AuthKey: p.AuthKey } : {}),
      });
      return { Success: true };
    },
    async GetEventCallback() {
      const s = await o.callbacks.getSettings();
      return s ? { ...s } : { CallbackType: 'HTTP', CallbackURL: '', EventTypeList: '', AuthSwitch: 'off' };
    },
    async ListSmartVoiceGroups() {
      // The voice catalogue, grouped by language (IMS groups by scene; the fields are IMS's).
      const groups = new Map<string, object[]>();
      const label: Record<string, string> = { zh: 'Mandarin', en: 'English', yue: 'Cantonese' };
      for (const v of VOICES) {
        const type = v.age === 'child' ? (v.gender === 'Male' ? 'Boy' : 'Girl') : v.gender;
        const list = groups.get(label[v.language]) ?? [];
        list.push({
          Voice: v.name,
          Name: v.name,
          VoiceType: type,
          Desc: `${type}, ${label[v.language]}, ${v.styles.join('/')}`,
          Tag: v.styles.join(','),
          Remark: 'espeak-ng',
          VoiceUrl: '',
          SupportSampleRate: '22050',
        });
        groups.set(label[v.language], list);
      }
      return { VoiceGroups: [...groups].map(([Type, VoiceList]) => ({ Type, VoiceList })) };
    },
    async RegisterMediaInfo(p) {
      const known = await o.library.findByInputUrl(p.InputURL);
      if (known) return { MediaId: known.id };
      try {
        const file = await fetchToCache(p.InputURL, { ...o.download, cacheDir: o.cacheDir });
        const rec = await o.library.add(file, { title: p.Title, description: p.Description, tags: p.MediaTags, inputUrl: p.InputURL });
        if (p.MediaType && p.MediaType !== rec.kind) {
          await o.library.remove(rec.id);
          throw new ReelsmithError('InvalidParameter', `MediaType: the file at InputURL is ${rec.kind}, not ${p.MediaType}`);
        }
        return { MediaId: rec.id };
      } catch (err) {
        // A material that cannot be fetched or read is the request's problem (400), never a 500.
        if (err instanceof ReelsmithError && err.status >= 500) throw new ReelsmithError('InvalidMaterial.Unreadable', err.message);
        throw err;
      }
    },
    async UpdateMediaInfo(p) {
      const known = p.MediaId ? await o.library.get(p.MediaId) : await o.library.findByInputUrl(p.InputURL ?? '');
      if (!known) throw createError('InvalidParameter.ResourceNotFound', p.MediaId ?? p.InputURL);
      await o.library.update(known.id, { title: p.Title, description: p.Description, tags: p.MediaTags });
      return { MediaId: known.id };
    },
    async GetMediaInfo(p) {
      const rec = p.MediaId ? await o.library.get(p.MediaId) : await o.library.findByInputUrl(p.InputURL ?? '');
      if (!rec) throw createError('InvalidParameter.ResourceNotFound', p.MediaId ?? p.InputURL);
      return { MediaInfo: mediaInfo(rec, true) };
    },
    async ListMediaBasicInfos(p) {
      const max = p.MaxResults;
      const r = await o.library.page({
        kind: p.MediaType,
        startTime: p.StartTime,
        endTime: p.EndTime,
        asc: /asc/i.test(p.SortBy ?? ''),
        after: token.decode(p.NextToken),
        limit: max,
      });
      return {
        TotalCount: r.total,
        MaxResults: max,
        MediaInfos: r.items.map((x) => mediaInfo(x, p.IncludeFileBasicInfo === 'true')),
        ...(r.next ? { NextToken: token.encode(r.next) } : {}),
      };
    },
    async DeleteMediaInfos(p) {
      const { MediaIds: ids, InputURLs: urls } = p;
      const ignored: string[] = [];
      for (const key of [...ids, ...urls]) {
        const rec = ids.includes(key) ? await o.library.get(key) : await o.library.findByInputUrl(key);
        if (!rec) ignored.push(key);
        else await o.library.remove(rec.id);
      }
      return { ForbiddenList: [], IgnoredList: ignored };
    },
    async GetBatchMediaProducingJob(p) {
      const job = await o.store.get(p.JobId);
      if (!job) throw createError('InvalidParameter.JobNotFound', p.JobId);
      return { EditingBatchJob: o.present ? await o.present(job) : job };
    },
  };
}

export function buildServer(o: ServerOptions): FastifyInstance {
  const app = Fastify({ logger: o.logger ?? false, bodyLimit: 8 * 1024 * 1024, genReqId: requestId });
  // Bodies are kept as sent: the V3 signature covers their exact bytes.
  const raw = new WeakMap<FastifyRequest, string>();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (req, body, done) => {
    raw.set(req, body as string);
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addContentTypeParser(['application/json', 'application/octet-stream', 'text/plain'], { parseAs: 'string' }, (req, body, done) => {
    raw.set(req, body as string);
    // JSON bodies are the REST API's; others only count for the V3 signature.
    if (!String(req.headers['content-type']).startsWith('application/json') || (body as string).trim() === '') return done(null, {});
    let value: unknown;
    try {
      value = JSON.parse(body as string);
    } catch {
      return done(new ReelsmithError('InvalidParameter', 'the body is not valid JSON'), undefined);
    }
    // Checked before anything walks it (too deep, too big, keys naming object internals).
    const unsafe = rawIssues(value, 'body');
    if (unsafe.length > 0)
      return done(new ReelsmithError('InvalidParameter', unsafe.map((i) => `${i.path}: ${i.reason}`).join('; ')), undefined);
    done(null, value);
  });
  const table = actions(o);
  if (o.outputsDir)
    app.register(fastifyStatic, { root: o.outputsDir, prefix: '/outputs/', decorateReply: false, dotfiles: 'deny', index: false });

  // Answers with the IMS body and the request's id; errors go to the one error handler below.
  const respond = async (req: FastifyRequest, reply: FastifyReply, work: () => Promise<object>, status = 200) =>
    reply.code(status).send({ RequestId: req.id, ...(await work()) });

  // Every error becomes its IMS body, with the status the catalogue gives its code. Fastify's own
  // refusals (a body too large, a bad content type) keep their 4xx; anything else is internal:
  // logged with its details under the request id, answered with that id only.
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    let e: ReelsmithError;
    let status: number;
    if (err instanceof ReelsmithError) [e, status] = [err, err.status];
    else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500)
      [e, status] = [new ReelsmithError('InvalidParameter', err.message), err.statusCode];
    else [e, status] = [createError('Internal', req.id), 500];
    if (status >= 500) req.log.error({ err, detail: err instanceof ReelsmithError ? err.detail : undefined }, 'request failed');
    return reply.code(status).send({ RequestId: req.id, Code: imsCode(e.code), Message: e.message, HostId: req.hostname, Recommend: '' });
  });

  const rpc = (req: FastifyRequest, reply: FastifyReply) =>
    respond(req, reply, async () => {
      const p = paramsOf(req);
      const v3 = /^ACS3-/i.test(String(req.headers.authorization ?? ''));
      if (v3) {
        // V3 requests name the action and version in headers.
        p.Action = String(req.headers['x-acs-action'] ?? p.Action ?? '');
        p.Version = String(req.headers['x-acs-version'] ?? p.Version ?? '');
      }
      if (!p.Action) throw createError('MissingParameter', 'Action');
      if (p.Version !== IMS_VERSION)
        throw new ReelsmithError(
          'InvalidVersion',
          `Specified parameter Version is not valid: "${p.Version ?? ''}" (this service speaks ${IMS_VERSION}).`,
        );
      const accessKeyId = v3 ? await authenticateAcs3(o, req, raw.get(req) ?? '') : await authenticate(o, req.method, p);
      const handler = Object.hasOwn(table, p.Action) ? table[p.Action] : undefined;
      if (!handler) throw createError('InvalidAction.NotFound', p.Action);
      return handler(p, { accessKeyId });
    });
  const deliveries = async (jobId: string) =>
    (await o.callbacks.deliveries(jobId)).map((d) => ({
      URL: d.url,
      EventType: d.event_type,
      Status: d.status,
      Attempts: d.attempts,
      LastError: d.last_error,
      CreateTime: d.created_at,
      DeliveredTime: d.delivered_at,
    }));
  registerRest(app, {
    actions: table,
    keys: o.keys,
    respond,
    deliveries,
    workers: o.workers ? () => o.workers!.list() : undefined,
    unauthorized: () => createError('Unauthorized'),
  });
  // Health: answers 200 while the database answers (load balancers, orchestrators); no key needed.
  app.get('/healthz', async (_req, reply) => {
    try {
      await o.store.list({ limit: 1 });
      const workers = o.workers ? (await o.workers.list()).length : undefined;
      return { Status: 'ok', Database: 'ok', ...(workers !== undefined ? { Workers: workers } : {}) };
    } catch {
      return reply.code(503).send({ Status: 'unavailable', Database: 'unreachable' });
    }
  });
  registerConsoleApi(app, {
    auth: bearerAuth(o.keys, () => createError('Unauthorized')),
    respond,
    library: o.library,
    store: o.store,
    cacheDir: o.cacheDir,
    present: o.present,
    check: (p) => checkSubmission(o, p),
    prepareJob: o.prepareJob,
    outputsDir: o.outputsDir,
    strip: o.strip,
    captionStill: o.captionStill,
    linkSecret: o.linkSecret,
    accessKeys: o.accessKeys,
    musicDir: o.musicDir,
    capacity: o.workers ? () => o.workers!.capacity() : undefined,
    consoleSignIn:
      o.consoleSignIn && o.keys.has(o.consoleSignIn.keyId)
        ? { password: o.consoleSignIn.password, keyId: o.consoleSignIn.keyId, secret: o.keys.get(o.consoleSignIn.keyId)! }
        : undefined,
    catalogue: { transitions: TRANSITIONS, effects: [...VFX_BASIC, ...VFX_OTHER] },
    rerender: async (id, index) => {
      if (!(await o.store.reopenOutput(id, index)))
        throw new ReelsmithError('InvalidParameter', `output ${index} of job ${id} is not a failed output of a finished job`);
      await o.intake.renderOutput(id, index);
    },
    maxUploadBytes: o.maxUploadBytes,
    engine: o.engine,
    mediaInfo: (r) => mediaInfo(r, true),
  });
  // The web console at / (its files under /console/); the IMS RPC API at / too, told apart by its
  // Action parameter (GET) or its body (POST).
  const consoleDir = o.consoleDir && existsSync(join(o.consoleDir, 'index.html')) ? o.consoleDir : undefined;
  if (consoleDir) app.register(fastifyStatic, { root: consoleDir, prefix: '/console/', decorateReply: false, index: false });
  app.get('/', (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const signedV3 = typeof req.headers['x-acs-action'] === 'string';
    if (q.Action !== undefined || signedV3 || !String(req.headers.accept ?? '').includes('text/html')) return rpc(req, reply);
    if (!consoleDir)
      return reply
        .type('text/html')
        .send(
          '<!doctype html><title>reelsmith</title><p>The web console is not built: run <code>npm run build:console</code> (the install script does).</p>',
        );
    return reply
      .type('text/html')
      .header('cache-control', 'no-cache')
      .send(readFileSync(join(consoleDir, 'index.html')));
  });
  app.post('/', rpc);
  return app;
}
