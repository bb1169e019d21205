import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { loadStackConfig, serviceNames } from '@atlas/config';

const config = loadStackConfig();

describe('PostgreSQL', () => {
  it.each(serviceNames)('serves the %s database and round-trips a row', async (service) => {
    const sql = postgres(config.postgres.databaseUrl(service), {
      max: 1,
      onnotice: () => undefined,
    });
    try {
      const [database] = await sql<{ name: string }[]>`select current_database() as name`;
      expect(database?.name).toBe(`atlas_${service}`);
      await sql`create temporary table probe (id uuid primary key, note text not null)`;
      const id = randomUUID();
      await sql`insert into probe ${sql({ id, note: 'hello' })}`;
      expect(await sql`select id, note from probe`).toEqual([{ id, note: 'hello' }]);
    } finally {
      await sql.end();
    }
  });
});

describe('Redis', () => {
  it('round-trips a key with an expiry and deletes it', async () => {
    const redis = new Redis(config.redis.url, { lazyConnect: true });
    await redis.connect();
    try {
      // Redis belongs to the machine: use a namespaced, expiring key and leave nothing behind.
      const key = `atlas:test:${randomUUID()}`;
      expect(await redis.set(key, 'value', 'PX', 10_000, 'NX')).toBe('OK');
      expect(await redis.get(key)).toBe('value');
      expect(await redis.pttl(key)).toBeGreaterThan(0);
      expect(await redis.del(key)).toBe(1);
    } finally {
      redis.disconnect();
    }
  });
});
