export { MAX_STOCK, skuParamsSchema, skuSchema, toItem } from './item.ts';
export type { Item, ItemRow } from './item.ts';
