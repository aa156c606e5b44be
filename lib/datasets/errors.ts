/**
 * Errors in user data (a bad CSV, an unknown column, an impossible role assignment). Their
 * messages are one line and name the row, line, column or entry, so services can map every
 * DatasetError to a 400-style response and show the message as is.
 */
import { InvalidInputError } from '../errors';

export class DatasetError extends InvalidInputError {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}
