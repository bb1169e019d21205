import { z } from 'zod';

/** The deepest page a list serves: past it an offset costs the database more than any reader needs. */
export const MAX_PAGE = 10_000;
export const MAX_PAGE_SIZE = 100;

/**
 * A query parameter that is a whole number from 1 to `max`, written in decimal digits only: no
 * `0x10`, `1e2`, `+5`, ` 7` or `1.0`, which a numeric coercion would accept.
 */
function wholeNumberUpTo(max: number) {
  return z
    .string()
    .regex(/^[1-9]\d{0,8}$/, 'a whole number of at least 1, in decimal digits')
    .transform(Number)
    .pipe(z.int().max(max, `at most ${max}`));
}

/**
 * The paging query of every list (contract §3), the one implementation: `page` 1-based, default 1,
 * at most MAX_PAGE; `pageSize` default 20, at most 100. Spread into a route's strict query schema
 * beside its filters.
 *
 * @example
 * const query = z.strictObject({ status: statusSchema.optional(), ...pageQueryShape });
 */
export const pageQueryShape = {
  page: wholeNumberUpTo(MAX_PAGE).optional().default(1),
  pageSize: wholeNumberUpTo(MAX_PAGE_SIZE).optional().default(20),
};

/** A page of a list, the contract's list body. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
}

/** Which page of a list is asked for, as {@link pageQueryShape} parses it. */
export interface PageRequest {
  readonly page: number;
  readonly pageSize: number;
}

/** The rows to skip before a page. */
export function offsetOf(page: PageRequest): number {
  return (page.page - 1) * page.pageSize;
}
