export { MAX_CENTS, currencySchema, formatCents, moneySchema, parseCents } from './money.ts';
