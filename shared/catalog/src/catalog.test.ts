import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { CatalogError, catalogEntry, kafkaSources, loadCatalog } from './index.ts';

function functionFolder(
  root: string,
  service: string,
  name: string,
  definition: Record<string, unknown>,
): void {
  const directory = join(root, service, name);
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'function.json'), JSON.stringify(definition));
  writeFileSync(join(directory, 'main.ts'), 'export {};\n');
}

const reserve = {
  name: 'reserve-stock',
  service: 'inventory',
  description: 'Reserves stock for a placed order',
  trigger: { kind: 'kafka', eventTypes: ['OrderPlaced', 'StockReceived', 'OrderCancelled'] },
  port: 8121,
  entry: './main.ts',
};
const PLACE_ROUTE = { method: 'POST', path: '/v1/orders', permission: 'orders:write' };
const place = {
  name: 'place-order',
  service: 'order',
  description: 'Places an order (POST /v1/orders)',
  trigger: {
    kind: 'http',
    routes: [{ ...PLACE_ROUTE, audit: { entityType: 'order', id: 'response.orderId' } }],
  },
  port: 8111,
  entry: './main.ts',
};

/** `place` with its route's audit declaration replaced, or left out. */
function placeWithAudit(
  audit: { entityType: string; id?: string } | undefined,
): Omit<typeof place, 'trigger'> & { trigger: { kind: string; routes: object[] } } {
  return {
    ...place,
    trigger: { kind: 'http', routes: [{ ...PLACE_ROUTE, ...(audit ? { audit } : {}) }] },
  };
}

describe('the function catalog', () => {
  it('reads every function.json, sorted by port, and lists the Kafka sources with the topics of their event types', () => {
    const root = mkdtempSync(join(tmpdir(), 'atlas-catalog-'));
    functionFolder(root, 'inventory', 'reserve-stock', reserve);
    functionFolder(root, 'order', 'place-order', place);

    const catalog = loadCatalog(root);

    expect(catalog.map((entry) => entry.name)).toEqual(['place-order', 'reserve-stock']);
    expect(kafkaSources(catalog).map((entry) => entry.trigger.topics)).toEqual([
      ['atlas.order.events.v1', 'atlas.inventory.events.v1'],
    ]);
  });

  it.each([
    ['an unknown field', { ...place, replicas: 3 }, /replicas/],
    [
      'a route without a permission',
      { ...place, trigger: { kind: 'http', routes: [{ method: 'POST', path: '/v1/orders' }] } },
      /permission/,
    ],
    [
      'an event type the event catalog lacks',
      { ...reserve, trigger: { ...reserve.trigger, eventTypes: ['OrderPlaced', 'OrderShipped'] } },
      /eventTypes\.1: not an event type of the event catalog/,
    ],
    [
      'declared topics (they are derived from the event types)',
      { ...reserve, trigger: { ...reserve.trigger, topics: ['atlas.order.events.v1'] } },
      /topics/,
    ],
    [
      'a command that does not say what its audit record is about',
      placeWithAudit(undefined),
      /audit/,
    ],
    [
      'an audit id naming a parameter the path lacks',
      placeWithAudit({ entityType: 'order', id: ':orderId' }),
      /parameter the path does not have/,
    ],
    [
      'an entry that does not exist',
      { ...place, entry: './missing.ts' },
      /missing\.ts does not exist/,
    ],
  ])('rejects a definition with %s', (_case, definition, message) => {
    const root = mkdtempSync(join(tmpdir(), 'atlas-catalog-'));
    functionFolder(root, definition.service, definition.name, definition);
    expect(() => loadCatalog(root)).toThrow(CatalogError);
    expect(() => loadCatalog(root)).toThrow(message);
  });

  it('reads a definition without its sources, as an image carries it', () => {
    const root = mkdtempSync(join(tmpdir(), 'atlas-catalog-'));
    const directory = join(root, place.service, place.name);
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, 'function.json'), JSON.stringify(place));

    expect(loadCatalog(root).map((entry) => entry.qualifiedName)).toEqual(['order-place-order']);
  });

  it('finds a function by its qualified name, and refuses one it does not have', () => {
    const root = mkdtempSync(join(tmpdir(), 'atlas-catalog-'));
    functionFolder(root, 'order', 'place-order', place);
    const catalog = loadCatalog(root);
    expect(catalogEntry('order-place-order', catalog).port).toBe(place.port);
    expect(() => catalogEntry('order-get-order', catalog)).toThrow(CatalogError);
  });

  it('rejects two functions on one port', () => {
    const root = mkdtempSync(join(tmpdir(), 'atlas-catalog-'));
    functionFolder(root, 'order', 'place-order', place);
    functionFolder(root, 'inventory', 'reserve-stock', { ...reserve, port: place.port });
    expect(() => loadCatalog(root)).toThrow(/share the port 8111/);
  });

  it('rejects a definition whose folder does not match its name', () => {
    const root = mkdtempSync(join(tmpdir(), 'atlas-catalog-'));
    functionFolder(root, 'order', 'placement', place);
    expect(() => loadCatalog(root)).toThrow(/folder must match/);
  });

  it('accepts the functions of this repository, each with a qualified name of service and name', () => {
    const catalog = loadCatalog();
    expect(catalog.map((entry) => entry.qualifiedName)).toEqual(
      expect.arrayContaining([
        'order-outbox-relay',
        'inventory-outbox-relay',
        'billing-outbox-relay',
        'workflow-outbox-relay',
      ]),
    );
  });
});
