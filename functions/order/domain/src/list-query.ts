import { z } from 'zod';
import { ORDER_STATUSES } from './status.ts';

const wholeNumber = z
  .string()
  .regex(/^[1-9]\d{0,8}$/, 'a whole number of at least 1')
  .transform(Number);

/** The query of `GET /v1/orders` (contract §3): paging, and the status and customer filters. */
export const listOrdersQuerySchema = z.strictObject({
  page: wholeNumber.optional().default(1),
  pageSize: wholeNumber.pipe(z.int().max(100, 'at most 100')).optional().default(20),
  status: z.enum(ORDER_STATUSES).optional(),
  customerId: z.string().trim().min(1).max(128).optional(),
});

export type ListOrdersQuery = z.infer<typeof listOrdersQuerySchema>;
