import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { stage, transaction } from './index.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

let database: TestDatabase;

async function keys(): Promise<string[]> {
  const rows = await database.sql<{ key: string }[]>`select key from staged_probe order by key`;
  return rows.map((row) => row.key);
}

describe('transaction with staged statements', () => {
  beforeAll(async () => {
    database = await createTestDatabase([]);
    await database.sql`create table staged_probe (key text primary key)`;
  });

  afterAll(async () => {
    await database.drop();
  });

  it('commits a staged insert with the work, without waiting for its answer before COMMIT', async () => {
    let stagedAfterMs = 0;
    const started = Date.now();

    await transaction(database.sql, async (tx) => {
      await tx`insert into staged_probe (key) values ('a1')`;
      await stage(tx, tx`select pg_sleep(0.3)`);
      stagedAfterMs = Date.now() - started;
      await stage(tx, tx`insert into staged_probe (key) values ('a2')`);
    });

    expect(stagedAfterMs).toBeLessThan(250);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(await keys()).toEqual(expect.arrayContaining(['a1', 'a2']));
  });

  it('fails the whole transaction with the staged statement’s own error, and keeps nothing', async () => {
    await database.sql`insert into staged_probe (key) values ('taken')`;

    const outcome = transaction(database.sql, async (tx) => {
      await tx`insert into staged_probe (key) values ('b1')`;
      await stage(tx, tx`insert into staged_probe (key) values ('taken')`);
      await stage(tx, tx`insert into staged_probe (key) values ('b2')`);
      return 'done';
    });

    await expect(outcome).rejects.toMatchObject({ code: '23505' });
    const kept = await keys();
    expect(kept).not.toContain('b1');
    expect(kept).not.toContain('b2');
  });

  it('reports the staged statement that aborted the transaction, not the statement that found it aborted', async () => {
    const outcome = transaction(database.sql, async (tx) => {
      await stage(tx, tx`insert into staged_probe (key) values ('taken')`);
      await tx`insert into staged_probe (key) values ('e1')`;
    });

    await expect(outcome).rejects.toMatchObject({ code: '23505' });
    expect(await keys()).not.toContain('e1');
  });

  it('rolls back staged statements when the work throws after staging them', async () => {
    const outcome = transaction(database.sql, async (tx) => {
      await stage(tx, tx`insert into staged_probe (key) values ('c1')`);
      throw new Error('the work failed');
    });

    await expect(outcome).rejects.toThrow('the work failed');
    expect(await keys()).not.toContain('c1');
  });

  it('leaves the connection clean for the next transaction after a staged failure', async () => {
    for (let attempt = 0; attempt < 12; attempt += 1) {
      await transaction(database.sql, async (tx) => {
        await stage(tx, tx`insert into staged_probe (key) values ('taken')`);
      }).catch(() => undefined);
    }

    await transaction(database.sql, async (tx) => {
      await stage(tx, tx`insert into staged_probe (key) values ('d1')`);
    });

    expect(await keys()).toContain('d1');
    const [open] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and state = 'idle in transaction (aborted)'`;
    expect(open?.n).toBe(0);
  });
});
