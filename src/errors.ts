/**
 * The error catalogue: every error reelsmith reports has an IMS-style code from this one table,
 * which says its HTTP status, whether it may be retried, and (for the protocol's fixed answers) its
 * message template. An error also carries the JSON path of the offending field (when there is one),
 * a human reason, and internals (`detail`) for the log only. Shells map errors through this table:
 * the CLI to exit codes, the HTTP service in one error handler.
 */
interface ErrorSpec {
  status: number;
  /** Worth retrying the same request later (the default of `transient`). */
  retriable?: boolean;
  /** The message of a fixed protocol answer; `%s` takes the one argument given. */
  template?: string;
}

export const ERRORS = {
  // The job and its materials (400: the request is wrong).
  InvalidParameter: { status: 400 },
  MissingParameter: { status: 400, template: 'The input parameter "%s" that is mandatory for processing this request is not supplied.' },
  'InvalidMaterial.NotFound': { status: 400 },
  'InvalidMaterial.Unreadable': { status: 400 },
  IdempotentParameterMismatch: {
    status: 400,
    template: 'The ClientToken was already used with different parameters; use a new ClientToken for a new job.',
  },
  // Rendering (recorded on sub-jobs; 500 if ever answered).
  RenderFailed: { status: 500 },
  RenderTimeout: { status: 500 },
  QualityCheckFailed: { status: 500 },
  SpeechFailed: { status: 500 },
  JobAttemptsExceeded: { status: 500 },
  Internal: { status: 500, template: 'The request processing has failed due to some unknown error (RequestId %s).' },
  // The IMS protocol.
  InvalidVersion: { status: 400 },
  'InvalidAction.NotFound': { status: 404, template: 'Specified api is not found, please check your url and method: %s' },
  'InvalidParameter.JobNotFound': { status: 404, template: 'The specified job does not exist: %s' },
  'InvalidParameter.ResourceNotFound': { status: 404, template: 'The specified media does not exist: %s' },
  'InvalidAccessKeyId.NotFound': { status: 404, template: 'Specified access key is not found.' },
  Unauthorized: { status: 401, template: 'Authorization: Bearer <AccessKeyId>:<AccessKeySecret> with a configured key is required.' },
  Forbidden: { status: 403, template: 'This key may not do that: %s' },
  IncompleteSignature: { status: 400 },
  SignatureDoesNotMatch: { status: 400, template: 'Specified signature is not matched with our calculation.' },
  SignatureNonceUsed: { status: 400, template: 'Specified signature nonce was used already.' },
  'InvalidTimeStamp.Format': { status: 400, template: 'Specified time stamp or date value is not well formatted.' },
  'InvalidTimeStamp.Expired': { status: 400, template: 'Specified time stamp or date value is expired.' },
  'Throttling.User': { status: 429, retriable: true, template: 'Request was denied due to user flow control: the queue is full.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** The IMS code an error is answered with (IMS says `InternalError` for the internal one). */
export const imsCode = (code: ErrorCode) =>
  code === 'Internal' ? 'InternalError' : code === 'Unauthorized' ? 'InvalidAccessKeyId.NotFound' : code;

export class ReelsmithError extends Error {
  readonly code: ErrorCode;
  readonly path?: string;
  readonly reason: string;
  /**
   * Internals behind the error (a subprocess's stderr, a server path): for the log and the local
   * command line, never for an API answer.
   */
  readonly detail?: string;
  /** Worth another try (a network error, a process killed from outside), unlike a failure of its own. */
  readonly transient: boolean;

  constructor(code: ErrorCode, reason: string, path?: string, options?: { cause?: unknown; detail?: string; transient?: boolean }) {
    super(path ? `${path}: ${reason}` : reason, options);
    this.name = 'ReelsmithError';
    this.code = code;
    this.path = path;
    this.reason = reason;
    this.detail = options?.detail;
    this.transient = options?.transient ?? (ERRORS[code] as ErrorSpec).retriable ?? false;
  }

  /** The HTTP status the catalogue gives this error's code. */
  get status(): number {
    return ERRORS[this.code].status;
  }
}

/** Several problems found at once (e.g. every invalid field of a job). */
export class JobValidationError extends ReelsmithError {
  readonly issues: { path: string; reason: string }[];
  constructor(issues: { path: string; reason: string }[]) {
    super('InvalidParameter', issues.map((i) => (i.path ? `${i.path}: ${i.reason}` : i.reason)).join('; '));
    this.issues = issues;
  }
}

/**
 * An error of the catalogue: codes with a template take its one argument (a parameter name, an id),
 * others take the reason. E.g. `createError('MissingParameter', 'JobId')`.
 */
export function createError(code: ErrorCode, arg = '', options?: { path?: string; detail?: string; cause?: unknown }): ReelsmithError {
  const template = (ERRORS[code] as ErrorSpec).template;
  return new ReelsmithError(code, template ? template.replace('%s', arg) : arg, options?.path, options);
}

export const invalidParameter = (path: string, reason: string) => new ReelsmithError('InvalidParameter', reason, path);
export const materialNotFound = (name: string, reason: string, o?: { transient?: boolean }) =>
  new ReelsmithError('InvalidMaterial.NotFound', `material ${name} not found: ${reason}`, undefined, o);
export const materialUnreadable = (name: string, reason: string, o?: { transient?: boolean }) =>
  new ReelsmithError('InvalidMaterial.Unreadable', `material ${name} cannot be read: ${reason}`, undefined, o);

export function asReelsmithError(err: unknown): ReelsmithError {
  if (err instanceof ReelsmithError) return err;
  // Not one of ours: its message is an internal (a stack, a path); the answer says only that it failed.
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return new ReelsmithError('Internal', 'an internal error occurred (details in the log)', undefined, { cause: err, detail: message });
}
