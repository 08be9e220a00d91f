import { QueueWorkersError } from '../../lambda/shared/errors.js';

/**
 * A request the console refuses outright: a cross-origin POST (403).
 *
 * Stand-in: this belongs in lambda/shared/errors.ts as `ForbiddenError`, with
 * lambda/api/http.ts's statusFor() mapping it to 403; until that module has it,
 * the console defines it here and maps it itself (console-http.ts).
 */
export class ConsoleForbiddenError extends QueueWorkersError {
  constructor(message: string) {
    super('FORBIDDEN', message);
    this.name = 'ForbiddenError';
  }
}
