/**
 * Typed domain errors thrown by services. One formatter (server/api/trpc.ts) maps them to tRPC
 * codes; REST handlers and the CLI map them the same way. `field` names the form field a message
 * belongs to, so forms can show it beside the input.
 */
export type DomainErrorCode = 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'TOO_MANY_REQUESTS' | 'PAYLOAD_TOO_LARGE';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);
export const forbidden = (message: string) => new DomainError('FORBIDDEN', message);
export const conflict = (message: string, field?: string) => new DomainError('CONFLICT', message, field);
export const badRequest = (message: string, field?: string) => new DomainError('BAD_REQUEST', message, field);
