/**
 * Errors a user may see. Anything that is the user's to fix (bad input, a missing or forbidden
 * resource, a conflict, a service that is down for now) throws a UserError of the right kind with
 * a one-line message; each transport maps the kind once (USER_ERROR_MAP): tRPC's errorFormatter,
 * REST's errorResponse, the MLflow routes, the CLI's exit code and a failed run's error field.
 * Any other error is a bug: logged server-side with its stack, answered with a generic message.
 */

export type UserErrorKind = 'invalid' | 'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'too-many-requests' | 'payload-too-large' | 'unavailable';

/** tRPC's names for the codes we use; REST answers carry the same names in `error.code`. */
export type UserErrorCode = 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'TOO_MANY_REQUESTS' | 'PAYLOAD_TOO_LARGE' | 'SERVICE_UNAVAILABLE';

/** MLflow's `error_code` values (databricks ErrorCode) that Deepboard answers with. */
export type MlflowErrorCode =
  | 'RESOURCE_DOES_NOT_EXIST'
  | 'RESOURCE_ALREADY_EXISTS'
  | 'INVALID_PARAMETER_VALUE'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'REQUEST_LIMIT_EXCEEDED'
  | 'TEMPORARILY_UNAVAILABLE'
  | 'ENDPOINT_NOT_FOUND'
  | 'INTERNAL_ERROR';

export interface UserErrorMapping {
  code: UserErrorCode;
  http: number;
  mlflow: MlflowErrorCode;
  /** The CLI's exit code: 2 for input the user must change (as for bad usage), 1 otherwise. */
  exit: 1 | 2;
}

/** The one table every transport reads. */
export const USER_ERROR_MAP: Record<UserErrorKind, UserErrorMapping> = {
  invalid: { code: 'BAD_REQUEST', http: 400, mlflow: 'INVALID_PARAMETER_VALUE', exit: 2 },
  unauthorized: { code: 'UNAUTHORIZED', http: 401, mlflow: 'UNAUTHENTICATED', exit: 1 },
  forbidden: { code: 'FORBIDDEN', http: 403, mlflow: 'PERMISSION_DENIED', exit: 1 },
  'not-found': { code: 'NOT_FOUND', http: 404, mlflow: 'RESOURCE_DOES_NOT_EXIST', exit: 1 },
  conflict: { code: 'CONFLICT', http: 409, mlflow: 'RESOURCE_ALREADY_EXISTS', exit: 1 },
  'too-many-requests': { code: 'TOO_MANY_REQUESTS', http: 429, mlflow: 'REQUEST_LIMIT_EXCEEDED', exit: 1 },
  'payload-too-large': { code: 'PAYLOAD_TOO_LARGE', http: 413, mlflow: 'INVALID_PARAMETER_VALUE', exit: 2 },
  unavailable: { code: 'SERVICE_UNAVAILABLE', http: 503, mlflow: 'TEMPORARILY_UNAVAILABLE', exit: 1 },
};

/** MLflow answers each error_code with a fixed HTTP status (MLflow's own table). */
export const MLFLOW_STATUS: Record<MlflowErrorCode, number> = {
  RESOURCE_DOES_NOT_EXIST: 404,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_PARAMETER_VALUE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  REQUEST_LIMIT_EXCEEDED: 429,
  TEMPORARILY_UNAVAILABLE: 503,
  ENDPOINT_NOT_FOUND: 404,
  INTERNAL_ERROR: 500,
};

export interface UserErrorOptions {
  /** The input field (form field, CLI flag, JSON property) the message is about. */
  field?: string;
  cause?: unknown;
}

export class UserError extends Error {
  readonly field?: string;
  constructor(
    readonly kind: UserErrorKind,
    message: string,
    options: UserErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    if (options.field !== undefined) this.field = options.field;
  }

  /** The transport mapping for this error's kind. */
  get mapping(): UserErrorMapping {
    return USER_ERROR_MAP[this.kind];
  }
}

// One subclass per kind, for domain errors to extend. Each sets its name by hand: bundlers may
// rename classes, and logs and the run's error field read `name`.

export class InvalidInputError extends UserError {
  constructor(message: string, options?: UserErrorOptions) {
    super('invalid', message, options);
    this.name = 'InvalidInputError';
  }
}

export class NotFoundError extends UserError {
  constructor(message: string, options?: UserErrorOptions) {
    super('not-found', message, options);
    this.name = 'NotFoundError';
  }
}

export class ForbiddenError extends UserError {
  constructor(message: string, options?: UserErrorOptions) {
    super('forbidden', message, options);
    this.name = 'ForbiddenError';
  }
}

export class ConflictError extends UserError {
  constructor(message: string, options?: UserErrorOptions) {
    super('conflict', message, options);
    this.name = 'ConflictError';
  }
}

export class UnavailableError extends UserError {
  constructor(message: string, options?: UserErrorOptions) {
    super('unavailable', message, options);
    this.name = 'UnavailableError';
  }
}

/** What a caller is told about an unexpected error, which is logged server-side instead. */
export const INTERNAL_MESSAGE = 'Something went wrong on the server; it has been logged.';

/** Whether `err` is a UserError (of `kind`, when given). */
export function isUserError(err: unknown, kind?: UserErrorKind): err is UserError {
  return err instanceof UserError && (kind === undefined || err.kind === kind);
}

/** The first line of a message: user messages are one line, and stacks never reach a user. */
export function firstLine(message: string): string {
  return message.split('\n')[0]!;
}

/**
 * The text stored in a failed run's `error` field: a UserError's message as is (it is written for
 * the user: "loss became NaN at epoch 3 …"), anything else prefixed with its name, since it is a
 * bug report ("TypeError: x is undefined"). Never a stack.
 */
export function runFailureMessage(err: unknown, maxLength = 5000): string {
  let message: string;
  if (err instanceof UserError) message = err.message;
  else if (err instanceof Error) message = `${err.name || 'Error'}: ${firstLine(err.message)}`;
  else message = `Error: ${firstLine(String(err))}`;
  return message.slice(0, maxLength);
}
