export { paymentCallbackSchema } from './callback.ts';
export type { PaymentCallback } from './callback.ts';
export { chargeOf, eraseCardToken, findChargeableInvoice, insertCharge } from './charge-store.ts';
export type { ChargeableInvoice, ChargeRow } from './charge-store.ts';
export { SLOW_CARD_DELAY_MS, decideCharge } from './card-decision.ts';
export type { ChargeDecision } from './card-decision.ts';
export { INVOICE_STATUSES, callbackEffect, compensationFor, statusAfter } from './invoice.ts';
export type { CallbackEffect, CallbackType, Compensation, InvoiceStatus } from './invoice.ts';
export {
  compensate,
  createOpenInvoice,
  findInvoice,
  lockInvoice,
  postEntries,
  refundPayment,
  setInvoiceStatus,
  toInvoice,
} from './invoice-store.ts';
export type { Emit, Invoice, InvoiceRow } from './invoice-store.ts';
export { listLedgerLines } from './ledger-store.ts';
export type { LedgerFilter } from './ledger-store.ts';
export { lockJoinedOrder, recordInventoryReserved, recordOrderPlaced } from './order-join-store.ts';
export type { JoinedOrderRow, PlacedOrder } from './order-join-store.ts';
export { LEDGER_ACCOUNTS, entriesFor, postingsFor, toLedgerLine } from './ledger.ts';
export type { EntryKind, LedgerAccount, LedgerLine, LedgerLineRow, Posting } from './ledger.ts';
export {
  insertPayment,
  recordAppliedCallback,
  sendAppliedCallbackRead,
  sendInvoicePaymentsRead,
} from './payment-store.ts';
export type { AppliedCallbackRow } from './payment-store.ts';
export {
  SIGNATURE_HEADER,
  SIGNATURE_TOLERANCE_SECONDS,
  signatureHeader,
  verifySignature,
} from './signature.ts';
export type { SignatureVerdict } from './signature.ts';
