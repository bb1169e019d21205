import { formatCents } from '@atlas/money';
import type { CancellationReason } from '@atlas/events';
import type { OrderLine } from './order-body.ts';
import type { BillingCompensation, SagaState } from './saga.ts';
import type { OrderStatus } from './status.ts';

/** A row of `orders` as the functions select it (`total_cents` as text: int8 exceeds a number). */
export interface OrderRow {
  readonly id: string;
  readonly customer_id: string;
  readonly currency: string;
  readonly lines: readonly OrderLine[];
  readonly total_cents: string;
  readonly status: OrderStatus;
  readonly cancellation_reason: CancellationReason | null;
  readonly reserved_ever: boolean;
  readonly invoice_id: string | null;
  readonly paid: boolean;
  readonly approval_id: string | null;
  readonly inventory_released: boolean;
  readonly billing_compensation: BillingCompensation;
  readonly created_at: Date;
  readonly updated_at: Date;
}

/** An order as the API answers it (contract §3); absent optional keys are left out. */
export interface OrderView {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly customerId: string;
  readonly currency: string;
  readonly lines: readonly OrderLine[];
  readonly total: string;
  readonly invoiceId?: string;
  readonly approvalId?: string;
  readonly cancellationReason?: CancellationReason;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function toOrderView(row: OrderRow): OrderView {
  return {
    orderId: row.id,
    status: row.status,
    customerId: row.customer_id,
    currency: row.currency,
    lines: row.lines.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice })),
    total: formatCents(BigInt(row.total_cents)),
    ...(row.invoice_id === null ? {} : { invoiceId: row.invoice_id }),
    ...(row.approval_id === null ? {} : { approvalId: row.approval_id }),
    // Shown from the moment the cancellation is decided, while its compensations still run.
    ...(row.cancellation_reason === null ? {} : { cancellationReason: row.cancellation_reason }),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toSagaState(row: OrderRow): SagaState {
  return {
    orderId: row.id,
    status: row.status,
    totalCents: BigInt(row.total_cents),
    currency: row.currency,
    reservedEver: row.reserved_ever,
    invoiceId: row.invoice_id,
    paid: row.paid,
    approvalId: row.approval_id,
    cancellation:
      row.cancellation_reason === null
        ? null
        : {
            reason: row.cancellation_reason,
            inventoryReleased: row.inventory_released,
            billingCompensation: row.billing_compensation,
          },
  };
}
