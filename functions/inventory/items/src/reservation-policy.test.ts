import { describe, expect, it } from '@jest/globals';
import { decideReservation, planBackorderFill, sumLines } from './index.ts';

const backorder = (id: string, lines: [string, number][]) => ({
  id,
  orderId: `order-${id}`,
  lines: lines.map(([sku, quantity]) => ({ sku, quantity })),
});

describe('the reservation policy', () => {
  it('sums the lines of one SKU and sorts the lines by SKU', () => {
    expect(
      sumLines([
        { sku: 'SKU-B', quantity: 1 },
        { sku: 'SKU-A', quantity: 2 },
        { sku: 'SKU-B', quantity: 3 },
      ]),
    ).toEqual([
      { sku: 'SKU-A', quantity: 2 },
      { sku: 'SKU-B', quantity: 4 },
    ]);
  });

  it('sorts SKUs by code unit, whatever a locale would say', () => {
    expect(
      sumLines([
        { sku: 'b', quantity: 1 },
        { sku: 'B', quantity: 1 },
        { sku: 'a', quantity: 1 },
      ]).map((l) => l.sku),
    ).toEqual(['B', 'a', 'b']);
  });

  it('reserves the whole order when every line is available', () => {
    const decision = decideReservation(
      [
        { sku: 'SKU-A', quantity: 2 },
        { sku: 'SKU-B', quantity: 5 },
      ],
      new Map([
        ['SKU-A', 2],
        ['SKU-B', 9],
      ]),
    );
    expect(decision).toEqual({
      kind: 'reserve',
      lines: [
        { sku: 'SKU-A', quantity: 2 },
        { sku: 'SKU-B', quantity: 5 },
      ],
    });
  });

  it('backorders the whole order when one line is short, naming only the short lines', () => {
    const decision = decideReservation(
      [
        { sku: 'SKU-A', quantity: 1 },
        { sku: 'SKU-B', quantity: 5 },
      ],
      new Map([
        ['SKU-A', 10],
        ['SKU-B', 4],
      ]),
    );
    expect(decision).toEqual({
      kind: 'backorder',
      lines: [
        { sku: 'SKU-A', quantity: 1 },
        { sku: 'SKU-B', quantity: 5 },
      ],
      short: [{ sku: 'SKU-B', requested: 5, available: 4 }],
    });
  });

  it('backorders lines of one SKU that fit one by one but not together', () => {
    const decision = decideReservation(
      [
        { sku: 'SKU-A', quantity: 3 },
        { sku: 'SKU-A', quantity: 3 },
      ],
      new Map([['SKU-A', 5]]),
    );
    expect(decision).toMatchObject({
      kind: 'backorder',
      short: [{ sku: 'SKU-A', requested: 6, available: 5 }],
    });
  });

  it('backorders an unknown SKU as having nothing available', () => {
    expect(decideReservation([{ sku: 'SKU-NEW', quantity: 1 }], new Map())).toMatchObject({
      kind: 'backorder',
      short: [{ sku: 'SKU-NEW', requested: 1, available: 0 }],
    });
  });
});

describe('filling backorders', () => {
  it('fills oldest first while the stock lasts', () => {
    const oldest = backorder('1', [['SKU-A', 3]]);
    const middle = backorder('2', [['SKU-A', 3]]);
    const youngest = backorder('3', [['SKU-A', 3]]);
    expect(planBackorderFill([oldest, middle, youngest], new Map([['SKU-A', 7]]))).toEqual([
      oldest,
      middle,
    ]);
  });

  it('skips an older backorder it cannot fill and fills a younger one it can', () => {
    const big = backorder('1', [['SKU-A', 10]]);
    const small = backorder('2', [['SKU-A', 4]]);
    expect(planBackorderFill([big, small], new Map([['SKU-A', 5]]))).toEqual([small]);
  });

  it('fills a backorder only when all of its lines are available', () => {
    const both = backorder('1', [
      ['SKU-A', 1],
      ['SKU-B', 1],
    ]);
    const onlyA = backorder('2', [['SKU-A', 1]]);
    expect(planBackorderFill([both, onlyA], new Map([['SKU-A', 1]]))).toEqual([onlyA]);
  });

  it('fills nothing when nothing is available', () => {
    expect(planBackorderFill([backorder('1', [['SKU-A', 1]])], new Map())).toEqual([]);
  });
});
