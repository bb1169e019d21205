import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { checkBackwardCompatible } from './compatibility.ts';
import { SCHEMA_ROOT } from './schemas.ts';

const current = readFileSync(`${SCHEMA_ROOT}order/OrderConfirmed.avsc`, 'utf8');

interface Field {
  name: string;
  type: unknown;
  default?: unknown;
}
interface Record {
  fields: [{ name: 'payload'; type: { fields: Field[] } }];
}

function withPayloadField(field: Field): string {
  const schema = JSON.parse(current) as Record;
  schema.fields[0].type.fields.push(field);
  return JSON.stringify(schema);
}

describe('checkBackwardCompatible', () => {
  it('accepts an unchanged schema', () => {
    expect(checkBackwardCompatible(current, current)).toEqual({ compatible: true });
  });

  it('accepts a new field that has a default', () => {
    const next = withPayloadField({ name: 'note', type: ['null', 'string'], default: null });

    expect(checkBackwardCompatible(current, next)).toEqual({ compatible: true });
  });

  it('rejects a new required field without a default', () => {
    const next = withPayloadField({ name: 'discount', type: 'string' });

    const result = checkBackwardCompatible(current, next);

    expect(result.compatible).toBe(false);
  });

  it('rejects a field whose type changed incompatibly', () => {
    const schema = JSON.parse(current) as Record;
    schema.fields[0].type.fields = schema.fields[0].type.fields.map((field) =>
      field.name === 'total' ? { name: 'total', type: 'int' } : field,
    );
    const next = JSON.stringify(schema);

    expect(checkBackwardCompatible(current, next).compatible).toBe(false);
  });
});
