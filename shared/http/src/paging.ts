import { z } from 'zod';

/**
 * The paging query of every list (contract §3): `page` 1-based, default 1; `pageSize` default 20,
 * at most 100. Spread into a route's strict query schema beside its filters.
 *
 * @example
 * const query = z.strictObject({ status: statusSchema.optional(), ...pageQueryShape });
 */
export const pageQueryShape = {
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
};

/** A page of a list, the contract's list body. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
}

/** The rows to skip before a page. */
export function offsetOf(page: { readonly page: number; readonly pageSize: number }): number {
  return (page.page - 1) * page.pageSize;
}
