import { describe, expect, it } from '@jest/globals';
import { isOrderId, orderTotalCents, placeOrderBodySchema, toOrderView } from './index.ts';
import type { OrderRow } from './index.ts';

const body = {
  customerId: 'cust-1',
  currency: 'EUR',
  lines: [
    { sku: 'SKU-1', quantity: 2, unitPrice: '19.99' },
    { sku: 'SKU-2', quantity: 1, unitPrice: '0.02' },
  ],
  paymentMethod: { type: 'card', token: 'tok_visa' },
};

describe('the body of a new order', () => {
  it('accepts a well-formed order', () => {
    expect(placeOrderBodySchema.safeParse(body).success).toBe(true);
  });

  it('totals the lines in cents, exactly', () => {
    expect(orderTotalCents(body.lines)).toBe(4000n);
    expect(orderTotalCents([{ sku: 'A', quantity: 3, unitPrice: '0.10' }])).toBe(30n);
  });

  it.each([
    ['no lines', { ...body, lines: [] }, 'lines'],
    [
      'more than 100 lines',
      { ...body, lines: Array.from({ length: 101 }, () => body.lines[0]) },
      'lines',
    ],
    [
      'a zero quantity',
      { ...body, lines: [{ ...body.lines[0], quantity: 0 }] },
      'lines.0.quantity',
    ],
    [
      'a fractional quantity',
      { ...body, lines: [{ ...body.lines[0], quantity: 1.5 }] },
      'lines.0.quantity',
    ],
    ['a bad SKU', { ...body, lines: [{ ...body.lines[0], sku: '-x' }] }, 'lines.0.sku'],
    [
      'a price with one decimal',
      { ...body, lines: [{ ...body.lines[0], unitPrice: '1.5' }] },
      'lines.0.unitPrice',
    ],
    [
      'a numeric price',
      { ...body, lines: [{ ...body.lines[0], unitPrice: 1.5 }] },
      'lines.0.unitPrice',
    ],
    ['a lower-case currency', { ...body, currency: 'eur' }, 'currency'],
    ['an empty customer', { ...body, customerId: ' ' }, 'customerId'],
    [
      'another payment type',
      { ...body, paymentMethod: { type: 'cash', token: 't' } },
      'paymentMethod.type',
    ],
    ['no payment token', { ...body, paymentMethod: { type: 'card' } }, 'paymentMethod.token'],
    ['an unknown field', { ...body, coupon: 'FREE' }, ''],
    ['an unknown line field', { ...body, lines: [{ ...body.lines[0], note: 'x' }] }, 'lines.0'],
    [
      'a total above 9999999999.99',
      { ...body, lines: [{ sku: 'A', quantity: 2, unitPrice: '9999999999.99' }] },
      'lines',
    ],
  ])('refuses %s', (_case, candidate, path) => {
    const result = placeOrderBodySchema.safeParse(candidate);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });
});

describe('an order id', () => {
  it('is a UUID', () => {
    expect(isOrderId('7a1c2a8e-3f4b-4c5d-8e9f-0a1b2c3d4e5f')).toBe(true);
    expect(isOrderId('not-an-id')).toBe(false);
  });
});

describe('the order view', () => {
  const row: OrderRow = {
    id: '7a1c2a8e-3f4b-4c5d-8e9f-0a1b2c3d4e5f',
    customer_id: 'cust-1',
    currency: 'EUR',
    lines: body.lines,
    total_cents: '4000',
    status: 'PENDING',
    cancellation_reason: null,
    reserved_ever: false,
    invoice_id: null,
    paid: false,
    approval_id: null,
    inventory_released: false,
    billing_compensation: 'NONE',
    created_at: new Date('2026-11-28T10:00:00.000Z'),
    updated_at: new Date('2026-11-28T10:00:01.000Z'),
  };

  it('leaves out the optional keys while they are unknown', () => {
    expect(toOrderView(row)).toEqual({
      orderId: row.id,
      status: 'PENDING',
      customerId: 'cust-1',
      currency: 'EUR',
      lines: body.lines,
      total: '40.00',
      createdAt: '2026-11-28T10:00:00.000Z',
      updatedAt: '2026-11-28T10:00:01.000Z',
    });
  });

  it('shows the invoice, the approval and the cancellation reason once known', () => {
    expect(
      toOrderView({
        ...row,
        invoice_id: 'inv-1',
        approval_id: 'apr-1',
        cancellation_reason: 'APPROVAL_REJECTED',
      }),
    ).toMatchObject({
      invoiceId: 'inv-1',
      approvalId: 'apr-1',
      cancellationReason: 'APPROVAL_REJECTED',
    });
  });
});
