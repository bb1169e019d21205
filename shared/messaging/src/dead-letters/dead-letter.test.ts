import { describe, expect, it } from '@jest/globals';
import { deadLetterId, parseDeadLetterId, toDeadLetter } from './dead-letter.ts';

describe('a dead-letter id', () => {
  it('names the domain, partition and offset of the dead-letter record, and back', () => {
    const id = deadLetterId({ topic: 'atlas.billing.dlq.v1', partition: 2, offset: '41' });
    expect(id).toBe('billing-2-41');
    expect(parseDeadLetterId(id)).toEqual({
      topic: 'atlas.billing.dlq.v1',
      partition: 2,
      offset: '41',
    });
  });

  it.each(['billing-2', 'Billing-2-41', 'billing--1-4', 'billing-2-41x', ''])(
    'is not read from %j',
    (id) => {
      expect(parseDeadLetterId(id)).toBeNull();
    },
  );
});

describe('reading a dead-letter record', () => {
  it('shows null for what a record without the dead-letter headers does not say', () => {
    const letter = toDeadLetter({
      topic: 'atlas.order.dlq.v1',
      partition: 0,
      message: {
        key: null,
        value: Buffer.from('x'),
        offset: '3',
        timestamp: '0',
        attributes: 0,
        headers: { ce_id: 'evt-1', atlas_dlq_attempts: 'many' },
      },
    });
    expect(letter).toMatchObject({
      id: 'order-0-3',
      eventId: 'evt-1',
      eventType: null,
      consumer: null,
      attempts: null,
      failedAt: null,
      error: { code: null, body: '' },
    });
  });
});
