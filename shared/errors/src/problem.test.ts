import { describe, expect, it } from '@jest/globals';
import { ConflictError, InternalError, ValidationError, toProblem } from './index.ts';

const context = { instance: '/v1/orders/42/cancel', correlationId: 'c-1' };

describe('toProblem', () => {
  it('turns a typed error into an RFC 7807 problem with a stable type and the correlation id', () => {
    expect(
      toProblem(new ConflictError('Order 42 is CONFIRMED and cannot be cancelled'), context),
    ).toEqual({
      type: 'https://atlas-erp.dev/problems/conflict',
      title: 'Conflict with the current state',
      status: 409,
      detail: 'Order 42 is CONFIRMED and cannot be cancelled',
      instance: '/v1/orders/42/cancel',
      correlationId: 'c-1',
      code: 'ATLAS_CONFLICT',
    });
  });

  it('lists each field violation of a validation failure', () => {
    const problem = toProblem(
      new ValidationError('2 fields are invalid', [
        { path: 'lines.0.quantity', message: 'must be ≥ 1' },
      ]),
      context,
    );
    expect(problem.status).toBe(400);
    expect(problem.errors).toEqual([{ path: 'lines.0.quantity', message: 'must be ≥ 1' }]);
  });

  it('never shows the message of an unexpected error to the caller', () => {
    const problem = toProblem(new Error('password=hunter2 in connection string'), context);
    expect(problem.status).toBe(500);
    expect(problem.type).toBe('https://atlas-erp.dev/problems/internal');
    expect(JSON.stringify(problem)).not.toContain('hunter2');
  });

  it('keeps 5xx detail generic even for typed server errors', () => {
    expect(toProblem(new InternalError('pool exhausted on db-3'), context).detail).not.toContain(
      'db-3',
    );
  });
});
