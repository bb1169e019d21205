/**
 * Payload of every Atlas event, one interface per Avro `<EventType>Payload` record in
 * `schemas/`. The typed fixtures test keeps the two in step: every fixture must satisfy both.
 *
 * Money is a decimal string with exactly 2 places ("19.99"); currency an ISO 4217 code.
 */

/** Decimal string with exactly two places, e.g. `"19.99"` (contract §3). */
export type Money = string;
/** ISO 4217 currency code, e.g. `"EUR"`. */
export type CurrencyCode = string;

export type CancellationReason = 'PAYMENT_FAILED' | 'APPROVAL_REJECTED' | 'CUSTOMER_CANCELLED';
export type VoidedInvoiceStatus = 'VOIDED' | 'REFUNDED';

export interface SkuQuantity {
  readonly sku: string;
  readonly quantity: number;
}

export interface OrderPlacedPayload {
  readonly orderId: string;
  readonly customerId: string;
  readonly currency: CurrencyCode;
  readonly lines: readonly (SkuQuantity & { readonly unitPrice: Money })[];
  readonly total: Money;
  readonly paymentMethod: { readonly type: string; readonly token: string };
}

export interface OrderConfirmedPayload {
  readonly orderId: string;
  readonly total: Money;
  readonly currency: CurrencyCode;
}

export interface OrderCancelledPayload {
  readonly orderId: string;
  readonly reason: CancellationReason;
}

export interface InventoryReleaseRequestedPayload {
  readonly orderId: string;
  readonly reason: string;
}

export interface InvoiceVoidRequestedPayload {
  readonly orderId: string;
  readonly invoiceId: string;
  readonly reason: string;
}

export interface PaymentRefundRequestedPayload {
  readonly orderId: string;
  readonly invoiceId: string;
  readonly amount: Money;
  readonly currency: CurrencyCode;
  readonly reason: string;
}

export interface InventoryReservedPayload {
  readonly orderId: string;
  readonly lines: readonly SkuQuantity[];
}

export interface InventoryBackorderedPayload {
  readonly orderId: string;
  readonly lines: readonly {
    readonly sku: string;
    readonly requested: number;
    readonly available: number;
  }[];
}

export interface InventoryReleasedPayload {
  readonly orderId: string;
  readonly lines: readonly SkuQuantity[];
  readonly reason: string;
}

export interface StockReceivedPayload {
  readonly sku: string;
  readonly quantity: number;
  readonly onHand: number;
}

export interface InvoiceCreatedPayload {
  readonly invoiceId: string;
  readonly orderId: string;
  readonly amount: Money;
  readonly currency: CurrencyCode;
}

export interface PaymentSucceededPayload {
  readonly orderId: string;
  readonly invoiceId: string;
  readonly paymentId: string;
  readonly amount: Money;
  readonly currency: CurrencyCode;
}

export interface PaymentFailedPayload {
  readonly orderId: string;
  readonly invoiceId: string;
  readonly reason: string;
}

export interface PaymentRefundedPayload {
  readonly orderId: string;
  readonly invoiceId: string;
  readonly refundId: string;
  readonly amount: Money;
  readonly currency: CurrencyCode;
}

export interface InvoiceVoidedPayload {
  readonly orderId: string;
  readonly invoiceId: string;
  readonly status: VoidedInvoiceStatus;
}

export interface ApprovalRequestedPayload {
  readonly approvalId: string;
  readonly orderId: string;
  readonly amount: Money;
  readonly currency: CurrencyCode;
}

export interface ApprovalGrantedPayload {
  readonly approvalId: string;
  readonly orderId: string;
  readonly decidedBy: string;
  /** Avro `["null","string"]` with default null: always present, null when the approver gave none. */
  readonly comment: string | null;
}

export interface ApprovalRejectedPayload {
  readonly approvalId: string;
  readonly orderId: string;
  readonly decidedBy: string;
  readonly reason: string;
}

export type AuditOutcome = 'SUCCEEDED' | 'REJECTED' | 'FAILED';

/** A command of an authenticated caller and how it ended (ADR-0027); never a token or a body. */
export interface AuditRecordedPayload {
  readonly subject: string;
  readonly username: string;
  /** The function that handled the command, e.g. `approve`. */
  readonly action: string;
  readonly method: string;
  /** The route template, e.g. `/v1/approvals/:approvalId/approve`. */
  readonly route: string;
  readonly entityType: string;
  /** Avro `["null","string"]`: null when a create was refused before the entity existed. */
  readonly entityId: string | null;
  readonly status: number;
  readonly outcome: AuditOutcome;
  /** An idempotent replay: the command did not run again. */
  readonly replayed: boolean;
}

/** Event type → payload type. Adding an event means a schema file, an entry here and in the catalog. */
export interface EventPayloads {
  OrderPlaced: OrderPlacedPayload;
  OrderConfirmed: OrderConfirmedPayload;
  OrderCancelled: OrderCancelledPayload;
  InventoryReleaseRequested: InventoryReleaseRequestedPayload;
  InvoiceVoidRequested: InvoiceVoidRequestedPayload;
  PaymentRefundRequested: PaymentRefundRequestedPayload;
  InventoryReserved: InventoryReservedPayload;
  InventoryBackordered: InventoryBackorderedPayload;
  InventoryReleased: InventoryReleasedPayload;
  StockReceived: StockReceivedPayload;
  InvoiceCreated: InvoiceCreatedPayload;
  PaymentSucceeded: PaymentSucceededPayload;
  PaymentFailed: PaymentFailedPayload;
  PaymentRefunded: PaymentRefundedPayload;
  InvoiceVoided: InvoiceVoidedPayload;
  ApprovalRequested: ApprovalRequestedPayload;
  ApprovalGranted: ApprovalGrantedPayload;
  ApprovalRejected: ApprovalRejectedPayload;
  AuditRecorded: AuditRecordedPayload;
}

export type EventType = keyof EventPayloads;
