import { describe, expect, it } from '@jest/globals';
import { listOrdersQuerySchema } from './index.ts';

describe('the query of the order list', () => {
  it('defaults to the first page of 20', () => {
    expect(listOrdersQuerySchema.parse({})).toEqual({ page: 1, pageSize: 20 });
  });

  it('reads paging and filters', () => {
    expect(
      listOrdersQuerySchema.parse({
        page: '3',
        pageSize: '100',
        status: 'PAID',
        customerId: 'cust-1',
      }),
    ).toEqual({ page: 3, pageSize: 100, status: 'PAID', customerId: 'cust-1' });
  });

  it.each([
    ['page 0', { page: '0' }, 'page'],
    ['a fractional page', { page: '1.5' }, 'page'],
    ['a pageSize above 100', { pageSize: '101' }, 'pageSize'],
    ['a pageSize of 0', { pageSize: '0' }, 'pageSize'],
    ['a word as pageSize', { pageSize: 'ten' }, 'pageSize'],
    ['a repeated page', { page: ['1', '2'] }, 'page'],
    ['an unknown status', { status: 'SHIPPED' }, 'status'],
    ['an unknown parameter', { sort: 'total' }, ''],
  ])('refuses %s', (_case, query, path) => {
    const result = listOrdersQuerySchema.safeParse(query);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });
});
