import { z } from 'zod';
import { pageQueryShape } from '@atlas/http';
import { ORDER_STATUSES } from './status.ts';

/** The query of `GET /v1/orders` (contract §3): paging, and the status and customer filters. */
export const listOrdersQuerySchema = z.strictObject({
  ...pageQueryShape,
  status: z.enum(ORDER_STATUSES).optional(),
  customerId: z.string().trim().min(1).max(128).optional(),
});

export type ListOrdersQuery = z.infer<typeof listOrdersQuerySchema>;
