/**
 * A plain JSON REST API over the same operations as the IMS RPC API, for users without the IMS
 * SDKs, described by an OpenAPI document at /api/v1/openapi.json. Authentication: the ACS3-HMAC-SHA256
 * signature of the IMS SDKs, or `Authorization: Bearer <AccessKeyId>:<AccessKeySecret>` (use TLS).
 */
import { jobJsonSchema } from '../../job/json-schema.js';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

type Handler = (p: Record<string, string>, caller?: { accessKeyId?: string }) => Promise<object>;

export interface RestOptions {
  actions: Record<string, Handler>;
  keys: Map<string, string>;
  /** Answers with the IMS body (errors go to the service's one error handler). */
  respond: (req: FastifyRequest, reply: FastifyReply, work: () => Promise<object>, status?: number) => Promise<unknown>;
  unauthorized: () => Error;
  /** Callback deliveries of a job, with their attempts (reelsmith extension). */
  deliveries: (jobId: string) => Promise<object[]>;
  /** The workers heard from lately (the scaled deployment); absent on one machine. */
  workers?: () => Promise<object[]>;
}

/** JSON values become the strings the IMS actions take (objects as JSON, as IMS sends them). */
function asParams(o: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o ?? {})) {
    if (v === undefined || v === null) continue;
    out[k] =
      typeof v === 'string'
        ? v
        : Array.isArray(v) && v.every((x) => typeof x !== 'object')
          ? v.join(',')
          : typeof v === 'object'
            ? JSON.stringify(v)
            : String(v);
  }
  return out;
}

function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `Authorization: Bearer <AccessKeyId>:<AccessKeySecret>` checked against the keys: the key's id, else throws. */
export function bearerAuth(keys: Map<string, string>, unauthorized: () => Error) {
  return (req: FastifyRequest): string => {
    const m = /^Bearer\s+([^:\s]+):(\S+)$/.exec(String(req.headers.authorization ?? ''));
    const secret = m ? keys.get(m[1]) : undefined;
    // Compared in constant time: the answer's timing must not tell how much of a secret matched.
    if (!m || !secret || !sameSecret(secret, m[2])) throw unauthorized();
    return m[1];
  };
}

export function registerRest(app: FastifyInstance, o: RestOptions): void {
  const auth = bearerAuth(o.keys, o.unauthorized);
  const route = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    action: string,
    params: (req: FastifyRequest) => Record<string, string>,
    status = 200,
  ) => {
    app.route({
      method,
      url,
      handler: (req, reply) =>
        o.respond(
          req,
          reply,
          async () => {
            const accessKeyId = auth(req);
            return o.actions[action](params(req), { accessKeyId });
          },
          status,
        ),
    });
  };
  // Query parameters in camelCase map to the IMS names (status → Status, maxResults → MaxResults).
  const query = (req: FastifyRequest) =>
    Object.fromEntries(Object.entries(asParams(req.query as Record<string, unknown>)).map(([k, v]) => [cap(k), v]));
  const body = (req: FastifyRequest) => asParams(req.body as Record<string, unknown>);
  const id = (name: string) => (req: FastifyRequest) => ({ [name]: (req.params as Record<string, string>).id });

  route('POST', '/api/v1/jobs', 'SubmitBatchMediaProducingJob', body, 201);
  route('GET', '/api/v1/jobs', 'ListBatchMediaProducingJobs', query);
  route('GET', '/api/v1/jobs/:id', 'GetBatchMediaProducingJob', id('JobId'));
  route('POST', '/api/v1/media', 'RegisterMediaInfo', body, 201);
  route('GET', '/api/v1/media', 'ListMediaBasicInfos', query);
  route('GET', '/api/v1/media/:id', 'GetMediaInfo', id('MediaId'));
  route('PUT', '/api/v1/media/:id', 'UpdateMediaInfo', (req) => ({ ...body(req), MediaId: (req.params as Record<string, string>).id }));
  route('DELETE', '/api/v1/media/:id', 'DeleteMediaInfos', (req) => ({ MediaIds: (req.params as Record<string, string>).id }));
  app.get('/api/v1/jobs/:id/callbacks', (req, reply) =>
    o.respond(req, reply, async () => {
      auth(req);
      return { Deliveries: await o.deliveries((req.params as Record<string, string>).id) };
    }),
  );
  app.get('/api/v1/workers', (req, reply) =>
    o.respond(req, reply, async () => {
      auth(req);
      return { Workers: o.workers ? await o.workers() : [] };
    }),
  );
  route('GET', '/api/v1/voices', 'ListSmartVoiceGroups', () => ({}));
  route('PUT', '/api/v1/event-callback', 'SetEventCallback', body);
  route('GET', '/api/v1/event-callback', 'GetEventCallback', () => ({}));
  app.get('/api/v1/openapi.json', async () => OPENAPI);
  // The job format for editors and forms (no key needed: it is the published format).
  const schema = jobJsonSchema();
  app.get('/api/v1/job.schema.json', async (_req, reply) => reply.type('application/schema+json').send(schema));
}

const error = { $ref: '#/components/schemas/Error' };
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const errors = {
  '400': { description: 'invalid request', ...json(error) },
  '401': { description: 'not authenticated', ...json(error) },
  '404': { description: 'not found', ...json(error) },
  '429': { description: 'queue full (Throttling.User)', ...json(error) },
};
const obj = (description: string) => ({ type: 'object', description, additionalProperties: true });
const listParams = (names: string[]) =>
  names.map((n) => ({ name: n, in: 'query', required: false, schema: { type: n === 'maxResults' ? 'integer' : 'string' } }));

const ID = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];

export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'reelsmith',
    version: '1',
    description:
      'Batch video creation, IMS-compatible. Every operation is also available through the IMS RPC API at / (Version 2020-11-09).',
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: '<AccessKeyId>:<AccessKeySecret>' } },
    schemas: {
      Error: {
        type: 'object',
        properties: { RequestId: { type: 'string' }, Code: { type: 'string' }, Message: { type: 'string' } },
        required: ['RequestId', 'Code', 'Message'],
      },
      Job: {
        type: 'object',
        required: ['InputConfig', 'OutputConfig'],
        properties: {
          InputConfig: obj('IMS InputConfig (object or JSON string)'),
          EditingConfig: obj('IMS EditingConfig'),
          OutputConfig: obj('IMS OutputConfig'),
          UserData: obj('echoed back; NotifyAddress receives the completion callback'),
          ClientToken: { type: 'string', description: 'idempotency: the same token returns the same JobId' },
        },
      },
      EditingBatchJob: obj(
        "as IMS GetBatchMediaProducingJob: JobId, JobType, Status, times, Extend, SubJobList (each sub-job with reelsmith's Quality figures: DecodeGarbage, LongestBlack, LongestFreeze, Loudness, SafePath)",
      ),
    },
  },
  security: [{ bearer: [] }],
  paths: {
    '/api/v1/jobs': {
      post: {
        summary: 'Submit a batch job (SubmitBatchMediaProducingJob)',
        requestBody: { required: true, ...json({ $ref: '#/components/schemas/Job' }) },
        responses: {
          '201': {
            description: 'accepted',
            ...json({ type: 'object', properties: { RequestId: { type: 'string' }, JobId: { type: 'string' } } }),
          },
          ...errors,
        },
      },
      get: {
        summary: 'List batch jobs (ListBatchMediaProducingJobs)',
        parameters: listParams(['jobType', 'status', 'startTime', 'endTime', 'sortBy', 'nextToken', 'maxResults']),
        responses: { '200': { description: 'a page', ...json(obj('EditingBatchJobList, NextToken, MaxResults')) }, ...errors },
      },
    },
    '/api/v1/jobs/{id}': {
      get: {
        summary: 'A batch job and its outputs (GetBatchMediaProducingJob)',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'the job',
            ...json({ type: 'object', properties: { EditingBatchJob: { $ref: '#/components/schemas/EditingBatchJob' } } }),
          },
          ...errors,
        },
      },
    },
    '/api/v1/workers': {
      get: {
        summary: 'The workers heard from in the last 10 s: id, host, pid, start, seconds since their heartbeat, the jobs they run',
        responses: { '200': { description: 'Workers', ...json(obj('Workers')) }, ...errors },
      },
    },
    '/healthz': {
      get: {
        summary: 'Health: 200 while the database answers (with the number of live workers on PostgreSQL), 503 otherwise; no key needed',
        security: [],
        responses: { '200': { description: 'Status, Database, Workers' }, '503': { description: 'the database does not answer' } },
      },
    },
    '/api/v1/job.schema.json': {
      get: {
        summary: 'The job format as a JSON Schema (2020-12), for editors and forms; no key needed',
        security: [],
        responses: { '200': { description: 'The JSON Schema of a job (InputConfig, EditingConfig, OutputConfig, UserData)' } },
      },
    },
    '/api/v1/jobs/{id}/events': {
      get: {
        summary:
          "A job's progress as server-sent events: an event `job` with the whole job (as GetBatchMediaProducingJob's EditingBatchJob) at once and on each change, until the job ends",
        parameters: ID,
        responses: {
          '200': { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
          ...errors,
        },
      },
    },
    '/api/v1/jobs/validate': {
      post: {
        summary: 'Checks a job as a submission is checked, without submitting it: every problem with its field path',
        requestBody: { required: true, ...json({ $ref: '#/components/schemas/Job' }) },
        responses: {
          '200': { description: 'Valid, Issues [{Path, Reason}], Warnings', ...json(obj('Valid, Issues, Warnings')) },
          ...errors,
        },
      },
    },
    '/api/v1/jobs/preview': {
      post: {
        summary:
          'The plans of the first outputs (Outputs, default 3, at most 10) as storyboards, before submitting: shots (material, group, start, duration, source in/out, effect), transitions, captions with timing, title; Uniqueness (distinct sequences the materials allow), Warnings, and an Estimate of the render time on this machine. With the ClientToken the job is then submitted with, they are the plans it makes.',
        requestBody: { required: true, ...json({ $ref: '#/components/schemas/Job' }) },
        responses: {
          '200': { description: 'Seed, Count, Outputs, Uniqueness, Warnings, Estimate', ...json(obj('storyboards')) },
          ...errors,
        },
      },
    },
    '/api/v1/jobs/{id}/outputs.zip': {
      get: {
        summary: 'Every successful output of a job in one zip (stored entries, streamed)',
        parameters: ID,
        responses: { '200': { description: 'application/zip' }, ...errors },
      },
    },
    '/api/v1/jobs/{id}/outputs/{index}/render': {
      post: {
        summary:
          'Renders a failed output of a finished job once more (the same plan: the job keeps its seed); the job is Processing until it is done, then complete again (its completion callback sent again)',
        parameters: [...ID, { name: 'index', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } }],
        responses: { '202': { description: 'JobId', ...json(obj('JobId')) }, ...errors },
      },
    },
    '/api/v1/previews/{kind}/{name}': {
      get: {
        summary:
          "What a transition or an effect looks like: a PNG strip of frames across it on two sample clips (kind: transitions or effects; name: the catalogue's, with or without .png). Drawn once, then kept.",
        parameters: [
          { name: 'kind', in: 'path', required: true, schema: { type: 'string', enum: ['transitions', 'effects'] } },
          { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'image/png' }, ...errors },
      },
    },
    '/api/v1/media/{id}/link': {
      get: {
        summary:
          "A link to the media file that plays in a page without a key (a <video> sends none): /media-files/{id}?expires=…&signature=… (HMAC-SHA256 with the service's secret), valid one hour, served with range requests",
        parameters: ID,
        responses: { '200': { description: 'URL, Expires (unix seconds)', ...json(obj('URL, Expires')) }, ...errors },
      },
    },
    '/api/v1/previews/caption': {
      post: {
        summary:
          "A caption as the render draws it, on a still (PNG, at most 360 px wide, the job's shape): Text, AsrConfig (the job's EditingConfig.SpeechConfig.AsrConfig), Voice, Width, Height",
        requestBody: { required: true, ...json(obj('Text, AsrConfig, Voice, Width, Height')) },
        responses: { '200': { description: 'image/png' }, ...errors },
      },
    },
    '/api/v1/console/sign-in': {
      post: {
        summary:
          "The web console's password sign-in (when the service has consolePassword): Password in, the access key pair the console then uses (consoleKey) out. Five wrong passwords from one address in ten minutes: refused (429) for the rest of that time.",
        security: [],
        requestBody: { required: true, ...json({ type: 'object', required: ['Password'], properties: { Password: { type: 'string' } } }) },
        responses: { '200': { description: 'AccessKeyId, AccessKeySecret', ...json(obj('AccessKeyId, AccessKeySecret')) }, ...errors },
      },
    },
    '/api/v1/access-keys': {
      get: {
        summary: "Access keys, for operators (the configuration's keys): id, description, account (UserId), source; never their secrets",
        responses: { '200': { description: 'AccessKeys', ...json(obj('AccessKeys')) }, ...errors },
      },
      post: {
        summary: 'Makes an access key pair (operators): Description, UserId (the account in callbacks); the secret is answered this once',
        requestBody: { required: false, ...json(obj('Description, UserId')) },
        responses: { '201': { description: 'AccessKeyId, AccessKeySecret', ...json(obj('AccessKeyId, AccessKeySecret')) }, ...errors },
      },
    },
    '/api/v1/access-keys/{id}': {
      delete: {
        summary: "Deletes an access key made here (operators); the configuration's keys are changed in the configuration",
        parameters: ID,
        responses: { '200': { description: 'AccessKeyId', ...json(obj('AccessKeyId')) }, ...errors },
      },
    },
    '/api/v1/media/uploads': {
      post: {
        summary:
          'Starts a resumable upload: Name, Size (bytes), Title, MusicStyle; answers UploadId and Offset 0. Pieces are then PATCHed to /api/v1/media/uploads/{id}; unfinished uploads go after a day.',
        requestBody: { required: true, ...json(obj('Name, Size, Title, MusicStyle')) },
        responses: { '201': { description: 'UploadId, Offset, Size', ...json(obj('UploadId, Offset, Size')) }, ...errors },
      },
    },
    '/api/v1/media/uploads/{id}': {
      get: {
        summary: 'How much of an upload the service has (Offset): where to resume after a cut',
        parameters: ID,
        responses: { '200': { description: 'UploadId, Offset, Size', ...json(obj('UploadId, Offset, Size')) }, ...errors },
      },
      patch: {
        summary:
          "A piece of an upload, sent from the header Upload-Offset (which must be the service's Offset; else refused, saying it). A piece cut off keeps what arrived. With the last byte, the file joins the library: MediaId, MediaInfo.",
        parameters: [...ID, { name: 'Upload-Offset', in: 'header', required: true, schema: { type: 'integer', minimum: 0 } }],
        requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
        responses: {
          '200': {
            description: 'Offset; with the last piece MediaId, MediaInfo',
            ...json(obj('UploadId, Offset, Size, MediaId, MediaInfo')),
          },
          ...errors,
        },
      },
    },
    '/api/v1/media/upload': {
      put: {
        summary: 'Uploads one file into the media library: the body is the file (any content type), streamed to disk',
        parameters: [
          { name: 'name', in: 'query', required: true, schema: { type: 'string' }, description: "the file's name" },
          { name: 'title', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'description', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'tags', in: 'query', required: false, schema: { type: 'string' }, description: 'comma-separated' },
        ],
        requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
        responses: { '201': { description: 'MediaId, MediaInfo', ...json(obj('MediaId, MediaInfo')) }, ...errors },
      },
    },
    '/api/v1/media/{id}/thumbnail': {
      get: {
        summary: 'A thumbnail of a library item: a frame of a video, the image scaled (JPEG), the waveform of audio (PNG), 320 px',
        parameters: ID,
        responses: { '200': { description: 'image/jpeg or image/png' }, ...errors },
      },
    },
    '/api/v1/voices/sample': {
      post: {
        summary: 'A voice speaking a sample line (WAV): Voice, SpeechRate (-500..500), Text (at most 300 characters; default a greeting)',
        requestBody: {
          required: true,
          ...json({
            type: 'object',
            required: ['Voice'],
            properties: { Voice: { type: 'string' }, SpeechRate: { type: 'integer' }, Text: { type: 'string' }, Style: { type: 'string' } },
          }),
        },
        responses: { '200': { description: 'audio/wav' }, ...errors },
      },
    },
    '/api/v1/jobs/{id}/callbacks': {
      get: {
        summary: 'Callback deliveries of a job and their attempts',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'Deliveries: url, status (pending, delivered, failed), attempts, last error, times',
            ...json(obj('Deliveries')),
          },
          ...errors,
        },
      },
    },
    '/api/v1/media': {
      post: {
        summary: 'Register a media file from a URL (RegisterMediaInfo)',
        requestBody: {
          required: true,
          ...json({
            type: 'object',
            required: ['InputURL'],
            properties: {
              InputURL: { type: 'string' },
              MediaType: { type: 'string', enum: ['video', 'image', 'audio'] },
              Title: { type: 'string' },
              Description: { type: 'string' },
              MediaTags: { type: 'string' },
            },
          }),
        },
        responses: { '201': { description: 'registered', ...json(obj('RequestId, MediaId')) }, ...errors },
      },
      get: {
        summary: 'List media (ListMediaBasicInfos)',
        parameters: listParams(['mediaType', 'startTime', 'endTime', 'sortBy', 'nextToken', 'maxResults', 'includeFileBasicInfo']),
        responses: { '200': { description: 'a page', ...json(obj('MediaInfos, TotalCount, NextToken')) }, ...errors },
      },
    },
    '/api/v1/media/{id}': {
      put: {
        summary: "Changes a media file's Title, Description and MediaTags (comma-separated) (UpdateMediaInfo)",
        parameters: ID,
        requestBody: { required: true, ...json(obj('Title, Description, MediaTags')) },
        responses: { '200': { description: 'MediaId', ...json(obj('MediaId')) }, ...errors },
      },
      get: {
        summary: 'A media file (GetMediaInfo)',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'MediaInfo', ...json(obj('MediaInfo')) }, ...errors },
      },
      delete: {
        summary: 'Delete a media file (DeleteMediaInfos)',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'deleted', ...json(obj('ForbiddenList, IgnoredList')) }, ...errors },
      },
    },
    '/api/v1/voices': {
      get: {
        summary: 'The voice catalogue (ListSmartVoiceGroups)',
        responses: { '200': { description: 'VoiceGroups', ...json(obj('VoiceGroups')) }, ...errors },
      },
    },
    '/api/v1/event-callback': {
      get: {
        summary: 'The global event callback (GetEventCallback)',
        responses: { '200': { description: 'settings', ...json(obj('CallbackType, CallbackURL, EventTypeList, AuthSwitch')) }, ...errors },
      },
      put: {
        summary: 'Set the global event callback (SetEventCallback)',
        requestBody: { required: true, ...json(obj('CallbackURL, EventTypeList, AuthSwitch, AuthKey')) },
        responses: { '200': { description: 'set', ...json(obj('Success')) }, ...errors },
      },
    },
    '/outputs/{jobId}/{file}': {
      get: {
        summary: 'Download an output (range requests supported)',
        security: [],
        parameters: [
          { name: 'jobId', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'file', in: 'path', required: true, schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'the MP4' }, '206': { description: 'a range of it' }, '404': { description: 'not found' } },
      },
    },
  },
};
