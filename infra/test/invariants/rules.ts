import type { EventType } from '@atlas/events';
import { EVENT_CATALOG, EVENT_TYPES } from '@atlas/events/catalog';
import type { OrderRow, Snapshot } from './snapshot.ts';

/** One broken promise of contract §4, said so that a reader knows where to look. */
export interface Violation {
  readonly rule: string;
  readonly message: string;
}

export interface RuleOptions {
  /** Orders at or above it wait for an approval (`ATLAS_APPROVAL_THRESHOLD`), in cents. */
  readonly approvalThresholdCents: bigint;
}

export type Rule = (snapshot: Snapshot, options: RuleOptions) => Violation[];

/** Where an order may rest once the system is quiet (contract §4). */
export const SETTLED_STATUSES: readonly string[] = [
  'CONFIRMED',
  'CANCELLED',
  'BACKORDERED',
  'AWAITING_APPROVAL',
];

/** The saga events this rule does not count: they may stand in an order's timeline more than once. */
const MAY_REPEAT: readonly EventType[] = [
  'InventoryReleaseRequested',
  'InvoiceVoidRequested',
  'PaymentRefundRequested',
  'InvoiceVoided',
];

/**
 * Events a saga has at most once per order: a second one is an effect applied twice. Every saga
 * event (aggregate Order in the event catalog) but those that may repeat, so a new one is counted.
 */
export const ONCE_PER_ORDER: readonly EventType[] = EVENT_TYPES.filter(
  (type) => EVENT_CATALOG[type].aggregateType === 'Order' && !MAY_REPEAT.includes(type),
);

function byOrder<T extends { orderId: string }>(rows: readonly T[]): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
  for (const row of rows) grouped.set(row.orderId, [...(grouped.get(row.orderId) ?? []), row]);
  return grouped;
}

function cents(value: bigint): string {
  const sign = value < 0n ? '-' : '';
  const absolute = value < 0n ? -value : value;
  return `${sign}${absolute / 100n}.${String(absolute % 100n).padStart(2, '0')}`;
}

const violation = (rule: string, message: string): Violation => ({ rule, message });

export const ordersSettled: Rule = (snapshot) => {
  const found = new Set(snapshot.orders.map((order) => order.id));
  const unknown = (snapshot.scopedIds ?? []).filter((id) => !found.has(id));
  return [
    ...unknown.map((id) =>
      violation('order-settled', `order ${id} is unknown to the order service`),
    ),
    ...snapshot.orders
      .filter((order) => !SETTLED_STATUSES.includes(order.status))
      .map((order) =>
        violation(
          'order-settled',
          `order ${order.id} is still ${order.status}: once quiet it must be CONFIRMED or CANCELLED, or wait in BACKORDERED / AWAITING_APPROVAL`,
        ),
      ),
  ];
};

export const stockMatchesReservations: Rule = (snapshot) =>
  snapshot.items.flatMap((item) => [
    ...(item.reserved === item.liveReserved
      ? []
      : [
          violation(
            'stock-reserved',
            `item ${item.sku} has reserved ${item.reserved} but its live reservations hold ${item.liveReserved}`,
          ),
        ]),
    ...(item.onHand - item.reserved >= 0
      ? []
      : [
          violation(
            'stock-available',
            `item ${item.sku} has onHand ${item.onHand} − reserved ${item.reserved} < 0`,
          ),
        ]),
  ]);

/** Cancelled orders hold nothing, and what they held came back once: no more, no less. */
export const releasedExactlyOnce: Rule = (snapshot) => {
  const reservations = byOrder(snapshot.reservations);
  const releases = byOrder(
    snapshot.timeline.filter((row) => row.eventType === 'InventoryReleased'),
  );
  return snapshot.orders.flatMap((order) => {
    const held = reservations.get(order.id) ?? [];
    const released = new Map<string, number>();
    for (const event of releases.get(order.id) ?? [])
      for (const line of event.payload.lines ?? [])
        released.set(line.sku, (released.get(line.sku) ?? 0) + line.quantity);
    const expected = new Map(
      order.status === 'CANCELLED'
        ? held.filter((row) => row.status === 'RELEASED').map((row) => [row.sku, row.quantity])
        : [],
    );
    const problems: Violation[] = held
      .filter((row) => order.status === 'CANCELLED' && row.status === 'RESERVED')
      .map((row) =>
        violation(
          'release-once',
          `cancelled order ${order.id} still holds ${row.quantity} × ${row.sku}`,
        ),
      );
    for (const sku of new Set([...expected.keys(), ...released.keys()])) {
      const want = expected.get(sku) ?? 0;
      const got = released.get(sku) ?? 0;
      if (want !== got)
        problems.push(
          violation(
            'release-once',
            `order ${order.id} (${order.status}) had ${got} × ${sku} released by InventoryReleased events, expected ${want}`,
          ),
        );
    }
    return problems;
  });
};

export const chargedAndRefundedAtMostOnce: Rule = (snapshot) =>
  (
    [
      ['payments', snapshot.payments],
      ['card charges', snapshot.charges],
      ['refunds', snapshot.refunds],
    ] as const
  ).flatMap(([what, rows]) =>
    rows
      .filter((row) => row.copies > 1)
      .map((row) => violation('at-most-once', `order ${row.orderId} has ${row.copies} ${what}`)),
  );

export const ledgerBalances: Rule = (snapshot) => {
  const entries = snapshot.ledgerEntries.flatMap((entry) =>
    entry.lineCount >= 2 && entry.debitCents === entry.creditCents
      ? []
      : [
          violation(
            'ledger-balanced',
            `ledger entry ${entry.entryId} (${entry.kind}, order ${entry.orderId}) has ${entry.lineCount} lines, debits ${cents(entry.debitCents)} ≠ credits ${cents(entry.creditCents)}`,
          ),
        ],
  );
  const total = snapshot.accountBalances.reduce((sum, row) => sum + row.balanceCents, 0n);
  return total === 0n
    ? entries
    : [
        ...entries,
        violation(
          'ledger-balanced',
          `the accounts sum to ${cents(total)} (debits − credits) over all entries, not 0`,
        ),
      ];
};

export const noEffectTwice: Rule = (snapshot) => {
  const duplicatesIn = (rows: readonly { orderId: string }[], what: string): Violation[] =>
    [...byOrder(rows)]
      .filter(([, copies]) => copies.length > 1)
      .map(([orderId, copies]) =>
        violation('effect-once', `order ${orderId} has ${copies.length} ${what}`),
      );
  const events = [...byOrder(snapshot.timeline)].flatMap(([orderId, rows]) => {
    const problems = ONCE_PER_ORDER.flatMap((type) => {
      const count = rows.filter((row) => row.eventType === type).length;
      return count > 1 ? [violation('effect-once', `order ${orderId} has ${count} × ${type}`)] : [];
    });
    const types = new Set(rows.map((row) => row.eventType));
    if (types.has('OrderConfirmed') && types.has('OrderCancelled'))
      problems.push(violation('effect-once', `order ${orderId} was both confirmed and cancelled`));
    return problems;
  });
  return [
    ...snapshot.inboxDuplicates.map((row) =>
      violation(
        'effect-once',
        `${row.service} inbox holds event ${row.eventId} ${row.copies} times for consumer ${row.consumer}`,
      ),
    ),
    ...duplicatesIn(snapshot.invoices, 'invoices'),
    ...duplicatesIn(snapshot.approvals, 'approvals'),
    ...events,
  ];
};

interface OrderState {
  readonly invoice: Snapshot['invoices'][number] | undefined;
  readonly reservations: Snapshot['reservations'];
  readonly backorder: string | undefined;
  readonly paid: boolean;
  readonly refunded: boolean;
  readonly approval: string | undefined;
  readonly balances: ReadonlyMap<string, bigint>;
  readonly reportStatus: string | undefined;
}

function expectedBalances(order: OrderRow): Record<string, bigint> {
  const paid = order.status === 'CONFIRMED' || order.status === 'AWAITING_APPROVAL';
  return paid
    ? { accounts_receivable: 0n, cash: order.totalCents, revenue: -order.totalCents }
    : { accounts_receivable: 0n, cash: 0n, revenue: 0n };
}

function disagreements(order: OrderRow, state: OrderState, options: RuleOptions): string[] {
  const problems: string[] = [];
  const live = state.reservations.filter((row) => row.status === 'RESERVED');
  const invoiceStatus = state.invoice?.status ?? 'none';
  const needsApproval = order.totalCents >= options.approvalThresholdCents;
  if (state.invoice && state.invoice.amountCents !== order.totalCents)
    problems.push(
      `its invoice is for ${cents(state.invoice.amountCents)}, the order totals ${cents(order.totalCents)}`,
    );
  if (state.reportStatus !== undefined && state.reportStatus !== order.status)
    problems.push(`the reporting read model says ${state.reportStatus}`);
  switch (order.status) {
    case 'CONFIRMED':
    case 'AWAITING_APPROVAL':
      if (invoiceStatus !== 'PAID') problems.push(`its invoice is ${invoiceStatus}, not PAID`);
      if (!state.paid) problems.push('it has no payment');
      if (state.refunded) problems.push('it was refunded');
      if (live.length === 0) problems.push('it holds no live reservation');
      if (order.status === 'AWAITING_APPROVAL' && state.approval !== 'PENDING')
        problems.push(`its approval is ${state.approval ?? 'missing'}, not PENDING`);
      if (order.status === 'CONFIRMED' && needsApproval && state.approval !== 'GRANTED')
        problems.push(
          `its total reaches the approval threshold yet its approval is ${state.approval ?? 'missing'}`,
        );
      if (order.status === 'CONFIRMED' && !needsApproval && state.approval !== undefined)
        problems.push(
          `its total is below the approval threshold yet it has an approval (${state.approval})`,
        );
      break;
    case 'CANCELLED':
      if (live.length > 0) problems.push('it still holds reservations');
      if (!['none', 'VOIDED', 'REFUNDED'].includes(invoiceStatus))
        problems.push(`its invoice is ${invoiceStatus}, not VOIDED / REFUNDED / none`);
      if (state.paid !== state.refunded)
        problems.push(state.paid ? 'it was paid and never refunded' : 'it was refunded unpaid');
      // A charge that raced the void is refunded at once and may leave the invoice VOIDED.
      if (invoiceStatus === 'REFUNDED' && !state.refunded)
        problems.push('its invoice is REFUNDED but no refund exists');
      if (order.cancellationReason === 'PAYMENT_FAILED' && state.paid)
        problems.push('its payment failed yet a payment exists');
      if (order.cancellationReason === 'APPROVAL_REJECTED' && state.approval !== 'REJECTED')
        problems.push(`it was cancelled for a rejection but its approval is ${state.approval}`);
      if (state.approval === 'PENDING') problems.push('its approval is still PENDING');
      if (state.backorder === 'OPEN') problems.push('its backorder is still OPEN');
      break;
    case 'BACKORDERED':
      if (state.backorder !== 'OPEN')
        problems.push(`its backorder is ${state.backorder ?? 'missing'}`);
      if (live.length > 0) problems.push('it holds reservations');
      if (state.invoice) problems.push('it has an invoice');
      break;
  }
  if (SETTLED_STATUSES.includes(order.status) && order.status !== 'BACKORDERED')
    for (const [account, want] of Object.entries(expectedBalances(order))) {
      const got = state.balances.get(account) ?? 0n;
      if (got !== want)
        problems.push(`its ${account} balance is ${cents(got)}, expected ${cents(want)}`);
    }
  return problems;
}

/** The order's status agrees with what inventory, billing, workflow and reporting hold for it. */
export const statusAgrees: Rule = (snapshot, options) => {
  const reservations = byOrder(snapshot.reservations);
  const first = <T extends { orderId: string }>(rows: readonly T[]) =>
    new Map(rows.map((row) => [row.orderId, row]));
  const invoices = first(snapshot.invoices);
  const backorders = first(snapshot.backorders);
  const approvals = first(snapshot.approvals);
  const reportOrders = first(snapshot.reportOrders);
  const paid = new Set(snapshot.payments.map((row) => row.orderId));
  const refunded = new Set(snapshot.refunds.map((row) => row.orderId));
  const balances = byOrder(snapshot.accountBalances);
  return snapshot.orders.flatMap((order) =>
    disagreements(
      order,
      {
        invoice: invoices.get(order.id),
        reservations: reservations.get(order.id) ?? [],
        backorder: backorders.get(order.id)?.status,
        paid: paid.has(order.id),
        refunded: refunded.has(order.id),
        approval: approvals.get(order.id)?.status,
        balances: new Map(
          (balances.get(order.id) ?? []).map((row) => [row.account, row.balanceCents]),
        ),
        reportStatus: reportOrders.get(order.id)?.status,
      },
      options,
    ).map((problem) =>
      violation(
        'status-agrees',
        `order ${order.id} is ${order.status}${order.cancellationReason ? ` (${order.cancellationReason})` : ''} but ${problem}`,
      ),
    ),
  );
};

export const RULES: readonly Rule[] = [
  ordersSettled,
  stockMatchesReservations,
  releasedExactlyOnce,
  chargedAndRefundedAtMostOnce,
  ledgerBalances,
  noEffectTwice,
  statusAgrees,
];
