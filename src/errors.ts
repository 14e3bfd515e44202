/**
 * The error catalogue. Every error reelsmith reports carries an IMS-style code, the JSON path of
 * the offending field (when there is one) and a human reason. Shells map codes to exit codes or
 * HTTP statuses; nothing else should construct ad-hoc error strings.
 */
export type ErrorCode =
  | 'InvalidParameter'
  | 'InvalidMaterial.NotFound'
  | 'InvalidMaterial.Unreadable'
  | 'RenderFailed'
  | 'RenderTimeout'
  | 'QualityCheckFailed'
  | 'SpeechFailed'
  | 'Internal';

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
    this.transient = options?.transient ?? false;
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
