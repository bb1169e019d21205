import type { AtlasError } from './errors.ts';
import { ValidationError, asAtlasError } from './errors.ts';

/** RFC 7807 problem details, with the contract's `correlationId` and, for validation, `errors`. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  readonly correlationId: string;
  readonly code: string;
  readonly errors?: readonly { path: string; message: string }[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://atlas-erp.dev/problems/';

/** `ATLAS_IDEMPOTENCY_KEY_REUSED` → `idempotency-key-reused`: the stable part of the problem type URI. */
export function problemSlug(code: string): string {
  return code
    .replace(/^ATLAS_/, '')
    .toLowerCase()
    .replaceAll('_', '-');
}

/**
 * The problem a caller sees for an error. Server-side failures (5xx) get a generic detail: the
 * real message and cause belong in the log, not in a response.
 */
export function toProblem(
  error: unknown,
  context: { instance: string; correlationId: string },
): ProblemDetails {
  const atlasError: AtlasError = asAtlasError(error);
  const detail =
    atlasError.status >= 500
      ? `${atlasError.title}; see the logs under this correlationId.`
      : atlasError.message;
  return {
    type: `${PROBLEM_TYPE_BASE}${problemSlug(atlasError.code)}`,
    title: atlasError.title,
    status: atlasError.status,
    detail,
    instance: context.instance,
    correlationId: context.correlationId,
    code: atlasError.code,
    ...(atlasError instanceof ValidationError ? { errors: atlasError.violations } : {}),
  };
}
