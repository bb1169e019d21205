export {
  AtlasError,
  BadRequestError,
  ConflictError,
  DependencyUnavailableError,
  ForbiddenError,
  IdempotencyInFlightError,
  IdempotencyKeyReusedError,
  InternalError,
  MalformedEventError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
  asAtlasError,
  ReplayRejectedError,
  SeparationOfDutiesError,
  TransitionRefusedError,
} from './errors.ts';
export type { FieldViolation } from './errors.ts';
export { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, problemSlug, toProblem } from './problem.ts';
export type { ProblemDetails } from './problem.ts';
