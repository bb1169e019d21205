import type { EventPayloads } from '../payloads.ts';

const orderId = '5b0e1c2a-8f4e-4a57-9d3b-0c1f6a2b7e11';
const invoiceId = 'inv-2026-000042';
const approvalId = 'c3a9e0d4-1b2f-4e6a-8c7d-9f0e1a2b3c4d';

/**
 * One valid payload per event type, typed against `EventPayloads`: tsc proves each matches the
 * TypeScript type and the fixtures test proves each matches its Avro schema.
 */
export const PAYLOAD_FIXTURES: { readonly [K in keyof EventPayloads]: EventPayloads[K] } = {
  OrderPlaced: {
    orderId,
    customerId: 'cust-0001',
    currency: 'EUR',
    lines: [
      { sku: 'SKU-RED-MUG', quantity: 2, unitPrice: '9.50' },
      { sku: 'SKU-TEAPOT', quantity: 1, unitPrice: '24.99' },
    ],
    total: '43.99',
    paymentMethod: { type: 'card', token: 'tok_visa' },
  },
  OrderConfirmed: { orderId, total: '43.99', currency: 'EUR' },
  OrderCancelled: { orderId, reason: 'PAYMENT_FAILED' },
  InventoryReleaseRequested: { orderId, reason: 'PAYMENT_FAILED' },
  InvoiceVoidRequested: { orderId, invoiceId, reason: 'PAYMENT_FAILED' },
  PaymentRefundRequested: {
    orderId,
    invoiceId,
    amount: '43.99',
    currency: 'EUR',
    reason: 'APPROVAL_REJECTED',
  },
  InventoryReserved: { orderId, lines: [{ sku: 'SKU-RED-MUG', quantity: 2 }] },
  InventoryBackordered: {
    orderId,
    lines: [{ sku: 'SKU-TEAPOT', requested: 3, available: 1 }],
  },
  InventoryReleased: {
    orderId,
    lines: [{ sku: 'SKU-RED-MUG', quantity: 2 }],
    reason: 'PAYMENT_FAILED',
  },
  StockReceived: { sku: 'SKU-TEAPOT', quantity: 10, onHand: 11 },
  InvoiceCreated: { invoiceId, orderId, amount: '43.99', currency: 'EUR' },
  PaymentSucceeded: { orderId, invoiceId, paymentId: 'pay_0001', amount: '43.99', currency: 'EUR' },
  PaymentFailed: { orderId, invoiceId, reason: 'card_declined' },
  PaymentRefunded: { orderId, invoiceId, refundId: 're_0001', amount: '43.99', currency: 'EUR' },
  InvoiceVoided: { orderId, invoiceId, status: 'REFUNDED' },
  ApprovalRequested: { approvalId, orderId, amount: '12500.00', currency: 'EUR' },
  ApprovalGranted: { approvalId, orderId, decidedBy: 'approver', comment: null },
  ApprovalRejected: { approvalId, orderId, decidedBy: 'approver', reason: 'Over budget' },
  AuditRecorded: {
    subject: '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    username: 'approver',
    action: 'approve',
    method: 'POST',
    route: '/v1/approvals/:approvalId/approve',
    entityType: 'approval',
    entityId: approvalId,
    status: 202,
    outcome: 'SUCCEEDED',
    replayed: false,
  },
};

/** Envelope context for tests. */
export const TEST_CONTEXT = {
  producer: 'test',
  correlationId: '0f9d8c7b-6a5e-4d3c-2b1a-0e9f8d7c6b5a',
  causationId: '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
} as const;
