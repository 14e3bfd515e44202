/**
 * The parameters of each IMS action, as zod schemas: what the handlers get is checked and typed
 * here, and a parameter that is missing or wrong is answered as IMS does (`MissingParameter` naming
 * it, `InvalidParameter` with `Name: reason`). Parameters arrive as strings (query string or form
 * body); the protocol's own (Action, Version, signature fields) are checked by the server, and
 * unknown ones are ignored, as IMS does.
 */
import { z } from 'zod';
import { createError, ReelsmithError } from '../../errors.js';

/** UTC times as IMS writes them: 2024-06-13T08:47:07Z. */
export function parseTimestamp(s: string): number {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/.test(s) ? Date.parse(s) : Number.NaN;
}

const oneOf = <T extends string>(values: readonly [T, ...T[]]) =>
  z.enum(values, { error: `must be ${values.slice(0, -1).join(', ')}${values.length > 1 ? ' or ' : ''}${values[values.length - 1]}` });
const utcTime = z.string().refine((s) => !Number.isNaN(parseTimestamp(s)), 'must be a UTC time like 2024-06-13T08:47:07Z');
const maxResults = z
  .string()
  .optional()
  .transform((s, ctx) => {
    const n = s === undefined || s === '' ? 10 : Number(s);
    if (!Number.isInteger(n) || n < 1 || n > 100) {
      ctx.addIssue({ code: 'custom', message: 'must be an integer from 1 to 100' });
      return z.NEVER;
    }
    return n;
  });
const httpUrl = (max: number) =>
  z
    .string()
    .min(1)
    .refine((s) => /^https?:\/\//i.test(s) && s.length <= max, `an http(s) URL${max < 4096 ? ` of at most ${max} bytes` : ''} is required`);
const list = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
/** An issue that says a required one of several parameters is missing. */
const missingOneOf = (names: string[]) => ({
  code: 'custom' as const,
  message: `One of ${names.map((n) => `"${n}"`).join(' and ')} is required.`,
  params: { missing: true },
});

export const ACTION_PARAMS = {
  SubmitBatchMediaProducingJob: z.object({
    InputConfig: z.string().min(1),
    OutputConfig: z.string().min(1),
    EditingConfig: z.string().default('{}'),
    UserData: z.string().optional(),
    ClientToken: z.string().max(64, 'at most 64 characters').optional(),
  }),
  GetBatchMediaProducingJob: z.object({ JobId: z.string().min(1) }),
  ListBatchMediaProducingJobs: z.object({
    JobId: z.string().optional(),
    MaxResults: maxResults,
    SortBy: oneOf(['desc', 'asc']).optional(),
    JobType: oneOf(['Script', 'Smart_Mix']).optional(),
    Status: oneOf(['Init', 'Processing', 'Finished', 'Failed']).optional(),
    StartTime: utcTime.optional(),
    EndTime: utcTime.optional(),
    NextToken: z.string().optional(),
  }),
  SetEventCallback: z
    .object({
      CallbackType: z.literal('HTTP', { error: 'only HTTP callbacks are supported by this service (MNS queues are not)' }).default('HTTP'),
      CallbackURL: httpUrl(256),
      EventTypeList: z.string().optional(),
      AuthSwitch: z
        .string()
        .default('off')
        .transform((s) => s.toLowerCase())
        .pipe(oneOf(['on', 'off'])),
      AuthKey: z.string().optional(),
    })
    .superRefine((p, ctx) => {
      if (p.AuthSwitch === 'on' && !(p.AuthKey && /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[A-Za-z\d]{1,32}$/.test(p.AuthKey)))
        ctx.addIssue({ code: 'custom', path: ['AuthKey'], message: 'up to 32 letters and digits, with upper case, lower case and digits' });
    }),
  GetEventCallback: z.object({}),
  ListSmartVoiceGroups: z.object({}),
  RegisterMediaInfo: z.object({
    InputURL: httpUrl(4096),
    MediaType: oneOf(['video', 'image', 'audio']).optional(),
    Title: z.string().optional(),
    Description: z.string().optional(),
    MediaTags: z.string().optional().transform(list),
  }),
  UpdateMediaInfo: z
    .object({
      MediaId: z.string().optional(),
      InputURL: z.string().optional(),
      Title: z.string().max(128, 'at most 128 characters').optional(),
      Description: z.string().max(1024, 'at most 1024 characters').optional(),
      MediaTags: z
        .string()
        .optional()
        .transform((s) => (s === undefined ? undefined : list(s))),
    })
    .superRefine((p, ctx) => {
      if (!p.MediaId && !p.InputURL) ctx.addIssue(missingOneOf(['MediaId', 'InputURL']));
    }),
  GetMediaInfo: z.object({ MediaId: z.string().optional(), InputURL: z.string().optional() }).superRefine((p, ctx) => {
    if (!p.MediaId && !p.InputURL) ctx.addIssue(missingOneOf(['MediaId', 'InputURL']));
  }),
  ListMediaBasicInfos: z.object({
    MaxResults: maxResults,
    MediaType: z.string().optional(),
    SortBy: z.string().optional(),
    StartTime: z.string().optional(),
    EndTime: z.string().optional(),
    NextToken: z.string().optional(),
    IncludeFileBasicInfo: z.string().optional(),
  }),
  DeleteMediaInfos: z
    .object({ MediaIds: z.string().optional().transform(list), InputURLs: z.string().optional().transform(list) })
    .superRefine((p, ctx) => {
      if (p.MediaIds.length === 0 && p.InputURLs.length === 0) ctx.addIssue(missingOneOf(['MediaIds', 'InputURLs']));
    }),
} as const;

export type Action = keyof typeof ACTION_PARAMS;
export type ParamsOf<A extends Action> = z.output<(typeof ACTION_PARAMS)[A]>;

/** An action's parameters checked and typed; the first problem answered as IMS does. */
export function actionParams<A extends Action>(action: A, raw: Record<string, string>): ParamsOf<A> {
  const r = ACTION_PARAMS[action].safeParse(raw);
  if (r.success) return r.data as ParamsOf<A>;
  const issue = r.error.issues[0];
  const name = issue.path.join('.');
  if (issue.code === 'custom' && (issue as { params?: { missing?: boolean } }).params?.missing)
    throw new ReelsmithError('MissingParameter', issue.message);
  if (name && raw[name] === undefined && issue.code === 'invalid_type') throw createError('MissingParameter', name);
  if (name && raw[name] === '' && issue.code === 'too_small') throw createError('MissingParameter', name);
  throw new ReelsmithError('InvalidParameter', name ? `${name}: ${issue.message}` : issue.message);
}
