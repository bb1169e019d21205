import { z } from 'zod';

/** The query of `GET /v1/ledger`: the contract's paging (§3) and an optional order filter. */
export const ledgerQuerySchema = z.strictObject({
  orderId: z.string().min(1).max(255).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

export type LedgerQuery = z.infer<typeof ledgerQuerySchema>;
