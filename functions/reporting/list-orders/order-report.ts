import { z } from 'zod';
import { pageQueryShape } from '@atlas/http';
import { formatCents } from '@atlas/money';
import {
  ORDER_STATUSES,
  rangeIsOrdered,
  timeBoundSchema,
  type OrderRow,
} from '@atlas/reporting-domain';

/** The query of `GET /v1/reports/orders`; `from`/`to` bound `createdAt`, both included. */
export const listOrdersQuerySchema = z
  .strictObject({
    ...pageQueryShape,
    status: z.enum(ORDER_STATUSES).optional(),
    customerId: z.string().min(1).max(200).optional(),
    from: timeBoundSchema.optional(),
    to: timeBoundSchema.optional(),
  })
  .refine(rangeIsOrdered, { path: ['from'], error: 'from must not be after to' });

export type ListOrdersQuery = z.infer<typeof listOrdersQuerySchema>;

/** One order of the report; null where no event has told it yet. */
export interface OrderReport {
  readonly orderId: string;
  readonly status: string;
  readonly customerId: string | null;
  readonly currency: string | null;
  readonly total: string | null;
  readonly invoiceId: string | null;
  readonly approvalId: string | null;
  readonly cancellationReason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly confirmedAt: string | null;
  readonly cancelledAt: string | null;
}

/** A read-model row as the API shows it: money as a 2-place string, times as ISO 8601 UTC. */
export function toOrderReport(row: OrderRow): OrderReport {
  return {
    orderId: row.order_id,
    status: row.status,
    customerId: row.customer_id,
    currency: row.currency,
    total: row.total_cents === null ? null : formatCents(BigInt(row.total_cents)),
    invoiceId: row.invoice_id,
    approvalId: row.approval_id,
    cancellationReason: row.cancellation_reason,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    confirmedAt: row.confirmed_at?.toISOString() ?? null,
    cancelledAt: row.cancelled_at?.toISOString() ?? null,
  };
}
