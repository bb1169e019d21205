import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@atlas/observability';
import { createTestDatabase, type TestDatabase } from '@atlas/db/testing';
import {
  autovacuumSettings,
  paceLikeAutovacuum,
  serverAutovacuumOn,
  tableActivity,
  vacuumPass,
} from './pass.ts';

// Against the machine's real PostgreSQL, on a throw-away database: the keeper's pass reads the
// server's own statistics and leaves a bloated table without its dead rows.
const logger = createLogger({ service: 'infra', function: 'vacuum-test', level: 'silent' });
let database: TestDatabase;

async function flushStatistics(): Promise<void> {
  await database.sql`select pg_stat_force_next_flush()`;
  // The counters are read by another backend of the pool: let the flush land.
  await new Promise((resolve) => setTimeout(resolve, 1_200));
}

describe('a vacuum pass', () => {
  beforeAll(async () => {
    database = await createTestDatabase([]);
    await database.sql`create table bloated (id int primary key, touched int not null)`;
    await database.sql`insert into bloated select n, 0 from generate_series(1, 2000) as n`;
    for (let round = 1; round <= 3; round += 1)
      await database.sql`update bloated set touched = ${round}`;
    await database.sql`create table calm (id int primary key)`;
    await flushStatistics();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('reads the server autovacuum switch and thresholds as the server reports them', async () => {
    const [row] = await database.sql<{ autovacuum: string }[]>`show autovacuum`;
    expect(await serverAutovacuumOn(database.sql)).toBe(row?.autovacuum === 'on');
    const [threshold] = await database.sql<{ setting: string }[]>`
      select setting from pg_settings where name = 'autovacuum_vacuum_threshold'`;
    expect((await autovacuumSettings(database.sql)).vacuumThreshold).toBe(
      Number(threshold?.setting),
    );
  });

  it("paces its session as the server paces autovacuum's workers", async () => {
    const session = await database.sql.reserve();
    try {
      await paceLikeAutovacuum(session);
      const [row] = await session<{ delay: string; wanted: string }[]>`
        select current_setting('vacuum_cost_delay') as delay,
               current_setting('autovacuum_vacuum_cost_delay') as wanted`;
      expect(row?.delay).toBe(row?.wanted);
    } finally {
      session.release();
    }
  });

  it('vacuums the table autovacuum would, and only that one', async () => {
    const before = await tableActivity(database.sql);
    expect(before.find((table) => table.table === 'bloated')?.deadTuples).toBeGreaterThan(2_000);

    const done = await vacuumPass(database.sql, logger);

    expect(done.map((chore) => chore.table)).toEqual(['bloated']);
    expect(done[0]).toMatchObject({ vacuum: true, analyze: true });
    await flushStatistics();
    const after = await tableActivity(database.sql);
    expect(after.find((table) => table.table === 'bloated')).toMatchObject({
      deadTuples: 0,
      modifiedSinceAnalyze: 0,
    });
    // Nothing left to do: a second pass does nothing.
    expect(await vacuumPass(database.sql, logger)).toEqual([]);
  });
});
