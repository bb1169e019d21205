import { z } from 'zod';

/** Contract §3: `page` 1-based, default 1; `pageSize` default 20, at most 100. */
export const pageQueryShape = {
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
};

/** A page of a list (contract §3). */
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
