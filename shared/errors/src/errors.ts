/**
 * Every error Atlas code raises on purpose. `code` is stable (clients, dashboards and the docs
 * rely on it), `status` is its HTTP form, and `retriable` tells consumers and the delivery
 * process whether trying again can succeed; everything not retriable goes to the dead letters.
 */
export abstract class AtlasError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  abstract readonly title: string;
  readonly retriable: boolean = false;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface FieldViolation {
  readonly path: string;
  readonly message: string;
}

export class ValidationError extends AtlasError {
  readonly code = 'ATLAS_VALIDATION_FAILED';
  readonly status = 400;
  readonly title = 'Request validation failed';
  readonly violations: readonly FieldViolation[];

  constructor(message: string, violations: readonly FieldViolation[] = []) {
    super(message);
    this.violations = violations;
  }
}

export class BadRequestError extends AtlasError {
  readonly code = 'ATLAS_BAD_REQUEST';
  readonly status = 400;
  readonly title = 'Bad request';
}

/** Detail stays vague on purpose: telling a caller why its token failed helps an attacker. */
export class UnauthorizedError extends AtlasError {
  readonly code = 'ATLAS_UNAUTHORIZED';
  readonly status = 401;
  readonly title = 'Authentication required';
}

export class ForbiddenError extends AtlasError {
  readonly code = 'ATLAS_FORBIDDEN';
  readonly status = 403;
  readonly title = 'Permission denied';
}

/**
 * Separation of duties: the caller may hold the permission, but not for this object, because they
 * are on its other side (they placed the order they are asked to approve). Admin included.
 */
export class SeparationOfDutiesError extends AtlasError {
  readonly code = 'ATLAS_SEPARATION_OF_DUTIES';
  readonly status = 403;
  readonly title = 'Separation of duties';
}

export class NotFoundError extends AtlasError {
  readonly code = 'ATLAS_NOT_FOUND';
  readonly status = 404;
  readonly title = 'Resource not found';
}

export class MethodNotAllowedError extends AtlasError {
  readonly code = 'ATLAS_METHOD_NOT_ALLOWED';
  readonly status = 405;
  readonly title = 'Method not allowed';
}

/** The request conflicts with the resource's state (cancel a confirmed order, for instance). */
export class ConflictError extends AtlasError {
  readonly code = 'ATLAS_CONFLICT';
  readonly status = 409;
  readonly title = 'Conflict with the current state';
}

export class IdempotencyInFlightError extends AtlasError {
  readonly code = 'ATLAS_IDEMPOTENCY_IN_FLIGHT';
  readonly status = 409;
  readonly title = 'A request with this Idempotency-Key is still in progress';
}

export class IdempotencyKeyReusedError extends AtlasError {
  readonly code = 'ATLAS_IDEMPOTENCY_KEY_REUSED';
  readonly status = 422;
  readonly title = 'Idempotency-Key reused with a different request';
}

export class PayloadTooLargeError extends AtlasError {
  readonly code = 'ATLAS_PAYLOAD_TOO_LARGE';
  readonly status = 413;
  readonly title = 'Request body too large';
}

export class UnsupportedMediaTypeError extends AtlasError {
  readonly code = 'ATLAS_UNSUPPORTED_MEDIA_TYPE';
  readonly status = 415;
  readonly title = 'Unsupported media type';
}

/** An event that can never be processed as it is (undecodable, bad envelope): dead-letter it at once. */
export class MalformedEventError extends AtlasError {
  readonly code = 'ATLAS_MALFORMED_EVENT';
  readonly status = 400;
  readonly title = 'Malformed event';
}

/** A dependency (database, Redis, Kafka, registry) did not answer; the same request may succeed later. */
/**
 * An event that the receiving aggregate's current state does not allow (an approval decision for
 * an approval it never requested, an invoice other than its own). Dead-lettered, not retried:
 * waiting does not make it valid, and an operator should see it (it may be forged).
 */
export class TransitionRefusedError extends AtlasError {
  readonly code = 'ATLAS_TRANSITION_REFUSED';
  readonly status = 422;
  readonly title = 'Transition refused';
}

export class DependencyUnavailableError extends AtlasError {
  readonly code = 'ATLAS_DEPENDENCY_UNAVAILABLE';
  readonly status = 503;
  readonly title = 'A dependency is unavailable';
  override readonly retriable = true;
}

/** A consumer answered a replayed dead letter with something other than 2xx, or not at all (ops). */
export class ReplayRejectedError extends AtlasError {
  readonly code = 'ATLAS_REPLAY_REJECTED';
  readonly status = 502;
  readonly title = 'The consumer did not accept the replayed event';
}

/** Anything we did not anticipate. Callers see only the title; the cause goes to the log. */
export class InternalError extends AtlasError {
  readonly code = 'ATLAS_INTERNAL';
  readonly status = 500;
  readonly title = 'Internal error';
  override readonly retriable = true;
}

/** Wraps whatever was thrown into an AtlasError, keeping the original as `cause`. */
export function asAtlasError(error: unknown): AtlasError {
  if (error instanceof AtlasError) return error;
  return new InternalError('Unexpected failure', { cause: error });
}
