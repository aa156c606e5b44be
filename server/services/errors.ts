import { UserError, type UserErrorKind } from '@/lib/errors';

/**
 * Typed domain errors thrown by services: UserErrors (lib/errors.ts) named by their tRPC-style
 * code, which each transport maps once (tRPC errorFormatter, REST errorResponse, MLflow, CLI).
 * `field` names the form field a message belongs to, so forms can show it beside the input.
 */
export type DomainErrorCode = 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'TOO_MANY_REQUESTS' | 'PAYLOAD_TOO_LARGE' | 'SERVICE_UNAVAILABLE';

const KIND: Record<DomainErrorCode, UserErrorKind> = {
  BAD_REQUEST: 'invalid',
  UNAUTHORIZED: 'unauthorized',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not-found',
  CONFLICT: 'conflict',
  TOO_MANY_REQUESTS: 'too-many-requests',
  PAYLOAD_TOO_LARGE: 'payload-too-large',
  SERVICE_UNAVAILABLE: 'unavailable',
};

export class DomainError extends UserError {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    field?: string,
  ) {
    super(KIND[code], message, { field });
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);
export const forbidden = (message: string) => new DomainError('FORBIDDEN', message);
export const conflict = (message: string, field?: string) => new DomainError('CONFLICT', message, field);
export const badRequest = (message: string, field?: string) => new DomainError('BAD_REQUEST', message, field);
export const unavailable = (message: string) => new DomainError('SERVICE_UNAVAILABLE', message);
