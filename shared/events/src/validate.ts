import type { FieldViolation } from '@atlas/errors';
import type { Type } from 'avsc';

// Money and currency are plain Avro strings (contract §3); these keys get the format check the
// schema cannot express.
const MONEY_FIELDS = new Set(['amount', 'total', 'unitPrice']);
const MONEY = /^-?\d+\.\d{2}$/;
const CURRENCY = /^[A-Z]{3}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function declaredFields(type: Type): readonly string[] | undefined {
  const fields = (type as { fields?: readonly { name: string }[] }).fields;
  return fields?.map((field) => field.name);
}

/** Where `value` breaks the Avro `type`, as dotted paths; empty when valid (undeclared fields count). */
export function avroViolations(type: Type, value: unknown): FieldViolation[] {
  const violations: FieldViolation[] = [];
  type.isValid(value, {
    noUndeclaredFields: true,
    errorHook: (path, invalid, invalidType) => {
      const declared = declaredFields(invalidType);
      // With noUndeclaredFields avsc reports the record, not the extra key: name the key.
      const extra =
        declared && isPlainObject(invalid)
          ? Object.keys(invalid).filter((key) => !declared.includes(key))
          : [];
      if (extra.length > 0) {
        for (const key of extra) {
          violations.push({ path: [...path, key].join('.'), message: 'undeclared field' });
        }
      } else {
        const expected = invalidType.name ?? invalidType.typeName;
        violations.push({ path: path.join('.'), message: `expected ${expected}` });
      }
    },
  });
  return violations;
}

/** Format rules Avro cannot express: money with 2 decimals, ISO 4217 currency, UUID event id. */
export function formatViolations(value: unknown, path: readonly string[] = []): FieldViolation[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => formatViolations(item, [...path, String(index)]));
  }
  if (!isPlainObject(value)) return [];
  const violations: FieldViolation[] = [];
  for (const [key, field] of Object.entries(value)) {
    const at = [...path, key].join('.');
    if (typeof field === 'string') {
      if (MONEY_FIELDS.has(key) && !MONEY.test(field)) {
        violations.push({ path: at, message: 'expected a decimal string with 2 places' });
      } else if (key === 'currency' && !CURRENCY.test(field)) {
        violations.push({ path: at, message: 'expected an ISO 4217 currency code' });
      } else if (key === 'eventId' && path.length === 0 && !UUID.test(field)) {
        violations.push({ path: at, message: 'expected a UUID' });
      }
    } else {
      violations.push(...formatViolations(field, [...path, key]));
    }
  }
  return violations;
}
