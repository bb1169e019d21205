import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@atlas/observability';
import { createTestDatabase, type TestDatabase } from '@atlas/db/testing';
import {
  autovacuumSettings,
  serverAutovacuumOn,
  tableActivity,
  vacuumPass,
  type ChoreDone,
} from './pass.ts';

// Against the machine's real PostgreSQL, on a throw-away database: the keeper's pass reads the
// server's own statistics and leaves a bloated table without its dead rows.
const logger = createLogger({ service: 'infra', function: 'vacuum-test', level: 'silent' });
let database: TestDatabase;

/** A pass on one session of the pool, as the keeper runs it (its pool holds one connection). */
async function pass(): Promise<ChoreDone[]> {
  const session = await database.sql.reserve();
  try {
    return await vacuumPass(session, logger);
  } finally {
    session.release();
  }
}

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

  it('vacuums the table autovacuum would, and only that one', async () => {
    const before = await tableActivity(database.sql);
    expect(before.find((table) => table.table === 'bloated')?.deadTuples).toBeGreaterThan(2_000);

    const done = await pass();

    expect(done.map((chore) => chore.table)).toEqual(['bloated']);
    expect(done[0]).toMatchObject({ vacuum: true, analyze: true, outcome: 'done' });
    await flushStatistics();
    const after = await tableActivity(database.sql);
    expect(after.find((table) => table.table === 'bloated')).toMatchObject({
      deadTuples: 0,
      modifiedSinceAnalyze: 0,
    });
    // Nothing left to do: a second pass does nothing.
    expect(await pass()).toEqual([]);
  });

  it('skips a table another session holds locked, without waiting past its lock timeout', async () => {
    await database.sql`create table held (id int primary key, touched int not null)`;
    await database.sql`insert into held select n, 0 from generate_series(1, 1000) as n`;
    await database.sql`update held set touched = 1`;
    await flushStatistics();
    const holder = await database.sql.reserve();
    try {
      await holder`begin`;
      await holder`lock table held in access exclusive mode`;
      const started = performance.now();

      const done = await pass();

      expect(done).toEqual([expect.objectContaining({ table: 'held', outcome: 'skipped' })]);
      // The lock timeout, not the holder, ended the wait.
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      await holder`rollback`;
      holder.release();
    }
    const [again] = await pass();
    expect(again).toMatchObject({ table: 'held', outcome: 'done' });
  });
});
