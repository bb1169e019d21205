import { z } from 'zod';
import { pageQueryShape } from '@atlas/http';

/** The query of `GET /v1/ledger`: the contract's paging (§3) and an optional order filter. */
export const ledgerQuerySchema = z.strictObject({
  orderId: z.string().min(1).max(255).optional(),
  ...pageQueryShape,
});

export type LedgerQuery = z.infer<typeof ledgerQuerySchema>;
