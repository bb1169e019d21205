import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, jest } from '@jest/globals';
import { gatewayClient, type Gateway } from '../../local/demo/client.ts';
import {
  checkInvariants,
  connectServiceDatabases,
  waitUntilQuiet,
  type ConnectedDatabases,
} from '../invariants/index.ts';

export interface E2eHarness {
  readonly gateway: Gateway;
  /** Notes an order of the running test: the invariants are checked over it afterwards. */
  readonly track: (orderId: string) => string;
  /** A name no other test uses, for SKUs and customers. */
  readonly unique: (prefix: string) => string;
}

/**
 * Registers the hooks every end-to-end file shares: a gateway client, and after each test, once
 * its orders are quiet, contract §4's invariants over them (and the items they touch). Orders are
 * scoped per test because the other Jest worker places its own orders meanwhile.
 */
export function e2eHarness(): E2eHarness {
  // Sagas cross four services and Kafka on two shared cores: minutes, not the unit tests' 30 s.
  jest.setTimeout(180_000);
  const gateway = gatewayClient();
  const orderIds: string[] = [];
  let connection: ConnectedDatabases;

  beforeAll(async () => {
    connection = connectServiceDatabases();
    const health = await fetch(`${gateway.url}/health`).catch(() => undefined);
    if (!health?.ok) throw new Error(`the gateway does not answer at ${gateway.url}/health`);
  });

  afterEach(async () => {
    if (orderIds.length === 0) return;
    const scope = { orderIds: orderIds.splice(0) };
    const quietness = await waitUntilQuiet(connection.databases, { ...scope, timeoutMs: 90_000 });
    const violations = await checkInvariants(connection.databases, scope);
    expect({ quietness, violations }).toEqual({ quietness: { quiet: true }, violations: [] });
  }, 120_000);

  afterAll(async () => {
    await connection.close();
  });

  return {
    gateway,
    track: (orderId) => {
      orderIds.push(orderId);
      return orderId;
    },
    unique: (prefix) => `${prefix}-${randomUUID().slice(0, 8).toUpperCase()}`,
  };
}
