import { describe, expect, it } from '@jest/globals';
import { ConflictError } from '@atlas/errors';
import {
  applySagaEvent,
  cancelByCustomer,
  type SagaEmissionType,
  type SagaEvent,
  type SagaState,
} from './index.ts';

const orderId = '7a1c2a8e-3f4b-4c5d-8e9f-0a1b2c3d4e5f';
const invoiceId = 'inv-1';
const THRESHOLD = 1_000_000n;

function order(overrides: Partial<SagaState> = {}): SagaState {
  return {
    orderId,
    status: 'PENDING',
    totalCents: 1999n,
    currency: 'EUR',
    reservedEver: false,
    invoiceId: null,
    paid: false,
    approvalId: null,
    cancellation: null,
    ...overrides,
  };
}

const lines = [{ sku: 'SKU-1', quantity: 2 }];
const events = {
  backordered: {
    eventType: 'InventoryBackordered',
    payload: { orderId, lines: [{ sku: 'SKU-1', requested: 2, available: 0 }] },
  },
  reserved: { eventType: 'InventoryReserved', payload: { orderId, lines } },
  released: { eventType: 'InventoryReleased', payload: { orderId, lines, reason: 'x' } },
  invoiced: {
    eventType: 'InvoiceCreated',
    payload: { orderId, invoiceId, amount: '19.99', currency: 'EUR' },
  },
  paid: {
    eventType: 'PaymentSucceeded',
    payload: { orderId, invoiceId, paymentId: 'pay-1', amount: '19.99', currency: 'EUR' },
  },
  declined: {
    eventType: 'PaymentFailed',
    payload: { orderId, invoiceId, reason: 'card declined' },
  },
  refunded: {
    eventType: 'PaymentRefunded',
    payload: { orderId, invoiceId, refundId: 'ref-1', amount: '19.99', currency: 'EUR' },
  },
  voided: { eventType: 'InvoiceVoided', payload: { orderId, invoiceId, status: 'VOIDED' } },
  approvalRequested: {
    eventType: 'ApprovalRequested',
    payload: { approvalId: 'apr-1', orderId, amount: '10000.00', currency: 'EUR' },
  },
  granted: {
    eventType: 'ApprovalGranted',
    payload: { approvalId: 'apr-1', orderId, decidedBy: 'approver', comment: null },
  },
  rejected: {
    eventType: 'ApprovalRejected',
    payload: { approvalId: 'apr-1', orderId, decidedBy: 'approver', reason: 'too much' },
  },
} as const satisfies Record<string, SagaEvent>;

type Step = keyof typeof events;

/** Applies the events in order; answers the final state and every emitted event type. */
function run(
  start: SagaState,
  steps: readonly Step[],
): { state: SagaState; emitted: SagaEmissionType[] } {
  let state = start;
  const emitted: SagaEmissionType[] = [];
  for (const step of steps) {
    const transition = applySagaEvent(state, events[step], THRESHOLD);
    state = transition.state;
    emitted.push(...transition.emit.map((emission) => emission.eventType));
  }
  return { state, emitted };
}

describe('the order saga, step by step (ADR-0026)', () => {
  it('moves to BACKORDERED on InventoryBackordered', () => {
    expect(run(order(), ['backordered']).state.status).toBe('BACKORDERED');
  });

  it('records the reservation and moves to INVENTORY_RESERVED on InventoryReserved', () => {
    const { state, emitted } = run(order(), ['reserved']);
    expect(state).toMatchObject({ status: 'INVENTORY_RESERVED', reservedEver: true });
    expect(emitted).toEqual([]);
  });

  it('records the invoice and moves to INVOICED on InvoiceCreated', () => {
    const { state } = run(order(), ['reserved', 'invoiced']);
    expect(state).toMatchObject({ status: 'INVOICED', invoiceId });
  });

  it('confirms an order below the threshold on PaymentSucceeded', () => {
    const transition = applySagaEvent(
      order({ status: 'INVOICED', reservedEver: true, invoiceId }),
      events.paid,
      THRESHOLD,
    );
    expect(transition.state).toMatchObject({ status: 'CONFIRMED', paid: true });
    expect(transition.emit).toEqual([
      { eventType: 'OrderConfirmed', payload: { orderId, total: '19.99', currency: 'EUR' } },
    ]);
  });

  it('waits in PAID for an approval when the total equals the threshold', () => {
    const { state, emitted } = run(order({ totalCents: THRESHOLD }), [
      'reserved',
      'invoiced',
      'paid',
    ]);
    expect(state).toMatchObject({ status: 'PAID', paid: true });
    expect(emitted).toEqual([]);
  });

  it('confirms without approval a cent below the threshold', () => {
    const { state, emitted } = run(order({ totalCents: THRESHOLD - 1n }), [
      'reserved',
      'invoiced',
      'paid',
    ]);
    expect(state.status).toBe('CONFIRMED');
    expect(emitted).toEqual(['OrderConfirmed']);
  });

  it('records the approval and waits in AWAITING_APPROVAL, then confirms once it is granted', () => {
    const big = order({ totalCents: 2_000_000n });
    const waiting = run(big, ['reserved', 'invoiced', 'paid', 'approvalRequested']);
    expect(waiting.state).toMatchObject({ status: 'AWAITING_APPROVAL', approvalId: 'apr-1' });

    const { state, emitted } = run(waiting.state, ['granted']);
    expect(state.status).toBe('CONFIRMED');
    expect(emitted).toEqual(['OrderConfirmed']);
  });

  it('ignores PaymentRefunded, and releases or voids that nobody asked for', () => {
    const paid = order({ status: 'PAID', reservedEver: true, invoiceId, paid: true });
    for (const step of ['refunded', 'released', 'voided'] as const) {
      expect(applySagaEvent(paid, events[step], THRESHOLD)).toEqual({ state: paid, emit: [] });
    }
  });
});

describe('the order saga when events arrive out of order', () => {
  it('goes to INVOICED when InvoiceCreated arrives before InventoryReserved, and stays there', () => {
    const { state } = run(order(), ['invoiced', 'reserved']);
    expect(state).toMatchObject({ status: 'INVOICED', reservedEver: true, invoiceId });
  });

  it('never moves back to BACKORDERED once reserved', () => {
    expect(run(order(), ['reserved', 'backordered']).state.status).toBe('INVENTORY_RESERVED');
  });

  it('stays AWAITING_APPROVAL when ApprovalRequested arrives before PaymentSucceeded', () => {
    const { state, emitted } = run(order({ totalCents: THRESHOLD }), [
      'reserved',
      'invoiced',
      'approvalRequested',
      'paid',
    ]);
    expect(state).toMatchObject({ status: 'AWAITING_APPROVAL', paid: true, approvalId: 'apr-1' });
    expect(emitted).toEqual([]);
  });

  it('confirms once when the approval is granted before the payment is seen', () => {
    const { state, emitted } = run(order({ totalCents: THRESHOLD }), [
      'reserved',
      'invoiced',
      'approvalRequested',
      'granted',
      'paid',
    ]);
    expect(state).toMatchObject({ status: 'CONFIRMED', paid: true });
    expect(emitted).toEqual(['OrderConfirmed']);
  });

  it('does not confirm twice on a second grant', () => {
    const { emitted } = run(order({ totalCents: THRESHOLD }), [
      'reserved',
      'invoiced',
      'paid',
      'approvalRequested',
      'granted',
      'granted',
    ]);
    expect(emitted).toEqual(['OrderConfirmed']);
  });
});

describe('the order saga when a payment is declined', () => {
  it('releases stock, voids the invoice, and cancels only once both are done', () => {
    const started = run(order(), ['reserved', 'invoiced', 'declined']);
    expect(started.emitted).toEqual(['InventoryReleaseRequested', 'InvoiceVoidRequested']);
    expect(started.state).toMatchObject({
      status: 'INVOICED',
      cancellation: {
        reason: 'PAYMENT_FAILED',
        inventoryReleased: false,
        billingCompensation: 'REQUESTED',
      },
    });

    const released = run(started.state, ['released']);
    expect(released.state.status).toBe('INVOICED');
    expect(released.emitted).toEqual([]);

    const { state, emitted } = run(released.state, ['voided']);
    expect(state.status).toBe('CANCELLED');
    expect(emitted).toEqual(['OrderCancelled']);
  });

  it('finishes the same way when the void is settled before the stock is released', () => {
    const { state, emitted } = run(order(), [
      'reserved',
      'invoiced',
      'declined',
      'voided',
      'released',
    ]);
    expect(state.status).toBe('CANCELLED');
    expect(emitted).toEqual([
      'InventoryReleaseRequested',
      'InvoiceVoidRequested',
      'OrderCancelled',
    ]);
  });

  it('names the reason and the invoice in the requests', () => {
    const transition = applySagaEvent(
      order({ status: 'INVOICED', reservedEver: true, invoiceId }),
      events.declined,
      THRESHOLD,
    );
    expect(transition.emit).toEqual([
      { eventType: 'InventoryReleaseRequested', payload: { orderId, reason: 'PAYMENT_FAILED' } },
      {
        eventType: 'InvoiceVoidRequested',
        payload: { orderId, invoiceId, reason: 'PAYMENT_FAILED' },
      },
    ]);
  });

  it('ignores a second PaymentFailed while cancelling', () => {
    const { emitted } = run(order(), ['reserved', 'invoiced', 'declined', 'declined']);
    expect(emitted).toEqual(['InventoryReleaseRequested', 'InvoiceVoidRequested']);
  });
});

describe('the order saga when the approval is rejected', () => {
  const waiting = run(order({ totalCents: 2_000_000n }), [
    'reserved',
    'invoiced',
    'paid',
    'approvalRequested',
  ]).state;

  it('asks for the refund of the whole total and the release, then cancels', () => {
    const started = applySagaEvent(waiting, events.rejected, THRESHOLD);
    expect(started.emit).toEqual([
      {
        eventType: 'InventoryReleaseRequested',
        payload: { orderId, reason: 'APPROVAL_REJECTED' },
      },
      {
        eventType: 'PaymentRefundRequested',
        payload: {
          orderId,
          invoiceId,
          amount: '20000.00',
          currency: 'EUR',
          reason: 'APPROVAL_REJECTED',
        },
      },
    ]);

    const { state, emitted } = run(started.state, ['refunded', 'voided', 'released']);
    expect(state).toMatchObject({
      status: 'CANCELLED',
      cancellation: { reason: 'APPROVAL_REJECTED' },
    });
    expect(emitted).toEqual(['OrderCancelled']);
  });

  it('does not confirm when a grant follows the rejection', () => {
    const { state, emitted } = run(waiting, ['rejected', 'granted']);
    expect(state.status).toBe('AWAITING_APPROVAL');
    expect(emitted).toEqual(['InventoryReleaseRequested', 'PaymentRefundRequested']);
  });
});

describe('the order saga when the customer cancels', () => {
  it.each([
    ['PENDING', [] as Step[], ['released'] as Step[], ['InventoryReleaseRequested']],
    ['BACKORDERED', ['backordered'], ['released'], ['InventoryReleaseRequested']],
    [
      'INVENTORY_RESERVED',
      ['reserved'],
      ['released', 'invoiced', 'voided'],
      ['InventoryReleaseRequested', 'InvoiceVoidRequested'],
    ],
    [
      'INVOICED',
      ['reserved', 'invoiced'],
      ['released', 'voided'],
      ['InventoryReleaseRequested', 'InvoiceVoidRequested'],
    ],
    [
      'AWAITING_APPROVAL',
      ['reserved', 'invoiced', 'paid', 'approvalRequested'],
      ['refunded', 'voided', 'released'],
      ['InventoryReleaseRequested', 'PaymentRefundRequested'],
    ],
  ] as const)(
    'from %s compensates what was done and ends CANCELLED(CUSTOMER_CANCELLED)',
    (status, before, after, requests) => {
      const reached = run(order({ totalCents: THRESHOLD }), before).state;
      expect(reached.status).toBe(status);

      const cancel = cancelByCustomer(reached);
      const { state, emitted } = run(cancel.state, after);

      expect([...cancel.emit.map((e) => e.eventType), ...emitted]).toEqual([
        ...requests,
        'OrderCancelled',
      ]);
      expect(state).toMatchObject({
        status: 'CANCELLED',
        cancellation: { reason: 'CUSTOMER_CANCELLED' },
      });
    },
  );

  it('from PAID refunds the payment', () => {
    const paid = run(order({ totalCents: THRESHOLD }), ['reserved', 'invoiced', 'paid']).state;
    expect(paid.status).toBe('PAID');
    expect(cancelByCustomer(paid).emit.map((e) => e.eventType)).toEqual([
      'InventoryReleaseRequested',
      'PaymentRefundRequested',
    ]);
  });

  it('keeps the status while compensating, whatever forward events still arrive', () => {
    const cancelling = cancelByCustomer(order()).state;
    const { state } = run(cancelling, ['reserved', 'invoiced', 'paid', 'approvalRequested']);
    expect(state.status).toBe('PENDING');
  });

  it('waits for billing when stock was reserved meanwhile, even after the release', () => {
    const cancelling = cancelByCustomer(order()).state;
    const { state, emitted } = run(cancelling, ['reserved', 'released']);
    expect(state.status).toBe('PENDING');
    expect(emitted).toEqual([]);
    expect(run(state, ['invoiced', 'voided']).emitted).toEqual([
      'InvoiceVoidRequested',
      'OrderCancelled',
    ]);
  });

  it('asks billing at most once, whatever billing events arrive', () => {
    const cancelling = cancelByCustomer(order()).state;
    const { emitted } = run(cancelling, ['reserved', 'invoiced', 'paid', 'invoiced', 'paid']);
    expect(emitted).toEqual(['InvoiceVoidRequested']);
  });

  it('asks for a refund when the payment is the first billing event seen while cancelling', () => {
    const cancelling = cancelByCustomer(
      order({ status: 'INVENTORY_RESERVED', reservedEver: true }),
    );
    const transition = applySagaEvent(cancelling.state, events.paid, THRESHOLD);
    expect(transition.emit).toEqual([
      {
        eventType: 'PaymentRefundRequested',
        payload: {
          orderId,
          invoiceId,
          amount: '19.99',
          currency: 'EUR',
          reason: 'CUSTOMER_CANCELLED',
        },
      },
    ]);
  });

  it('has no second effect while a cancellation already runs', () => {
    const cancelling = cancelByCustomer(order()).state;
    expect(cancelByCustomer(cancelling)).toEqual({ state: cancelling, emit: [] });
    expect(run(cancelling, ['declined', 'rejected']).emitted).toEqual([]);
  });

  it.each(['CONFIRMED', 'CANCELLED'] as const)('refuses to cancel a %s order', (status) => {
    const finished = order({
      status,
      ...(status === 'CANCELLED'
        ? {
            cancellation: {
              reason: 'PAYMENT_FAILED',
              inventoryReleased: true,
              billingCompensation: 'SETTLED',
            },
          }
        : {}),
    });
    expect(() => cancelByCustomer(finished)).toThrow(ConflictError);
  });

  it('cancels only once, however often the last compensation is reported', () => {
    const { emitted } = run(cancelByCustomer(order()).state, ['released', 'released']);
    expect(emitted).toEqual(['OrderCancelled']);
  });
});

describe('a finished order', () => {
  it('is not cancelled by a late decline or rejection once CONFIRMED', () => {
    const confirmed = order({ status: 'CONFIRMED', reservedEver: true, invoiceId, paid: true });
    for (const step of ['declined', 'rejected', 'backordered', 'reserved'] as const) {
      expect(applySagaEvent(confirmed, events[step], THRESHOLD).emit).toEqual([]);
      expect(applySagaEvent(confirmed, events[step], THRESHOLD).state.status).toBe('CONFIRMED');
    }
  });
});
