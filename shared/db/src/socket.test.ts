import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { databaseOn, loadStackConfig } from '@atlas/config';
import { createSql, socketOf, type Sql } from './index.ts';

const SOCKET_DIRECTORY = '/var/run/postgresql';
const pools: Sql[] = [];

describe('a PostgreSQL URL naming a Unix socket', () => {
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
  });

  it('reads the socket as libpq names it and keeps the rest of the URL', () => {
    expect(
      socketOf('postgres://postgres@127.0.0.1:5433/atlas_order?host=%2Fvar%2Frun%2Fpostgresql'),
    ).toEqual({
      url: 'postgres://postgres@127.0.0.1:5433/atlas_order',
      socketPath: '/var/run/postgresql/.s.PGSQL.5433',
    });
    expect(socketOf('postgres://postgres@127.0.0.1:5432/atlas_order')).toEqual({
      url: 'postgres://postgres@127.0.0.1:5432/atlas_order',
    });
    expect(databaseOn('postgres://postgres@127.0.0.1?host=%2Ftmp', 'atlas_billing')).toBe(
      'postgres://postgres@127.0.0.1/atlas_billing?host=%2Ftmp',
    );
  });

  const server = new URL(loadStackConfig().postgres.baseUrl);
  const local = existsSync(`${SOCKET_DIRECTORY}/.s.PGSQL.${server.port || '5432'}`);
  (local ? it : it.skip)('connects through the socket, not TCP', async () => {
    server.searchParams.set('host', SOCKET_DIRECTORY);
    const sql = createSql(databaseOn(server.toString(), 'postgres'), {
      applicationName: 'atlas-test',
      max: 1,
    });
    pools.push(sql);

    const [row] = await sql<
      { address: string | null }[]
    >`select inet_client_addr()::text as address`;

    expect(row?.address).toBeNull();
  });
});
