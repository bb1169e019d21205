import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadStackConfig } from './index.ts';

describe('loadStackConfig', () => {
  it('defaults to the addresses of the contract', () => {
    const config = loadStackConfig({});
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.schemaRegistry.url).toBe('http://127.0.0.1:8081/apis/ccompat/v7');
    expect(config.keycloak.issuer).toBe('http://127.0.0.1:8180/realms/atlas-erp');
    expect(config.postgres.databaseUrl('billing')).toBe(
      'postgres://postgres@127.0.0.1:5432/atlas_billing',
    );
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.gateway.port).toBe(8080);
  });

  it('takes every address from the environment when set', () => {
    const config = loadStackConfig({
      ATLAS_KAFKA_BROKERS: 'k1:19092, k2:19092',
      ATLAS_SCHEMA_REGISTRY_URL: 'http://registry:9999/apis/ccompat/v7/',
      ATLAS_KEYCLOAK_URL: 'http://idp:8443',
      ATLAS_POSTGRES_URL: 'postgres://me@db:6543',
      ATLAS_ORDER_DATABASE_URL: 'postgres://orders@elsewhere:5432/orders',
      ATLAS_GATEWAY_PORT: '18080',
    });
    expect(config.kafka.brokers).toEqual(['k1:19092', 'k2:19092']);
    expect(config.schemaRegistry.url).toBe('http://registry:9999/apis/ccompat/v7');
    expect(config.keycloak.issuer).toBe('http://idp:8443/realms/atlas-erp');
    expect(config.keycloak.realmUrl).toBe('http://idp:8443/realms/atlas-erp');
    expect(config.postgres.databaseUrl('order')).toBe('postgres://orders@elsewhere:5432/orders');
    expect(config.postgres.databaseUrl('inventory')).toBe('postgres://me@db:6543/atlas_inventory');
    expect(config.gateway.port).toBe(18080);
  });

  it('keeps the issuer tokens carry apart from where the realm is reached, when told', () => {
    const config = loadStackConfig({
      ATLAS_KEYCLOAK_URL: 'http://keycloak.atlas-infra.svc.cluster.local:8080',
      ATLAS_KEYCLOAK_ISSUER: 'http://127.0.0.1:18180/realms/atlas-erp',
    });
    expect(config.keycloak.issuer).toBe('http://127.0.0.1:18180/realms/atlas-erp');
    expect(config.keycloak.realmUrl).toBe(
      'http://keycloak.atlas-infra.svc.cluster.local:8080/realms/atlas-erp',
    );
  });

  it.each([
    ['ATLAS_KEYCLOAK_ISSUER', 'not a url'],
    ['ATLAS_GATEWAY_PORT', 'eighty'],
    ['ATLAS_GATEWAY_PORT', '70000'],
    ['ATLAS_KAFKA_BROKERS', 'no-port'],
    ['ATLAS_REDIS_URL', 'not a url'],
  ])('fails at start-up with a ConfigError naming %s when it is "%s"', (variable, value) => {
    expect(() => loadStackConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadStackConfig({ [variable]: value })).toThrow(variable);
  });
});
