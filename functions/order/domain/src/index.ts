export { CANCELLATION_REASONS, ORDER_STATUSES, laterStatus } from './status.ts';
export type { ForwardStatus, OrderStatus } from './status.ts';
export {
  SAGA_EVENT_TYPES,
  applySagaEvent,
  cancelByCustomer,
  refusalOf,
  startCancellation,
} from './saga.ts';
export type {
  BillingCompensation,
  Cancellation,
  SagaEmission,
  SagaEmissionType,
  SagaEvent,
  SagaEventType,
  SagaState,
  SagaTransition,
} from './saga.ts';
export {
  MAX_LINES,
  MAX_QUANTITY,
  isOrderId,
  orderLineSchema,
  orderTotalCents,
  placeOrderBodySchema,
  skuSchema,
} from './order-body.ts';
export type { OrderLine, PlaceOrderBody } from './order-body.ts';
export { toOrderView, toSagaState } from './order-row.ts';
export type { OrderRow, OrderView } from './order-row.ts';
export {
  commitTransition,
  findOrder,
  insertOrder,
  listOrders,
  lockOrder,
  stageTransition,
} from './order-store.ts';
export type { NewOrder, OrderFilter } from './order-store.ts';
export { listOrdersQuerySchema } from './list-query.ts';
export type { ListOrdersQuery } from './list-query.ts';
export {
  STUCK_AFTER_SECONDS,
  countUnsettled,
  findStuckOrders,
  forwardStepOf,
  stuckOrdersQuerySchema,
  waitingOn,
} from './stuck.ts';
export type { StuckOrdersQuery, WaitingOn } from './stuck.ts';
