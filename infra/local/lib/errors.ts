/**
 * A problem the person running the stack can act on. The CLI prints only the message (no stack
 * trace), so the message must say what went wrong and what to do.
 */
export class InfraError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InfraError';
  }
}
