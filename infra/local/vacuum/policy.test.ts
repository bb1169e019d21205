import { describe, expect, it } from '@jest/globals';
import { choresDue, DEFAULT_AUTOVACUUM_SETTINGS, type TableActivity } from './policy.ts';

const quiet: TableActivity = {
  table: 'orders',
  liveTuples: 10_000,
  deadTuples: 0,
  modifiedSinceAnalyze: 0,
  insertedSinceVacuum: 0,
};

describe("the vacuum keeper's policy (autovacuum's own thresholds)", () => {
  it('leaves a table alone until its dead rows pass 50 + 20 % of its live rows', () => {
    expect(choresDue([{ ...quiet, deadTuples: 2_050 }])).toEqual([]);
    expect(choresDue([{ ...quiet, deadTuples: 2_051 }])).toEqual([
      { table: 'orders', vacuum: true, analyze: false, reason: '2051 dead rows > 2050' },
    ]);
  });

  it('vacuums an insert-only table once its inserts pass 1,000 + 20 % of its rows', () => {
    const [chore] = choresDue([{ ...quiet, table: 'report_events', insertedSinceVacuum: 3_001 }]);
    expect(chore).toMatchObject({ table: 'report_events', vacuum: true });
    expect(choresDue([{ ...quiet, insertedSinceVacuum: 3_000 }])).toEqual([]);
  });

  it('analyzes alone when only the changes since the last analyze pass 50 + 10 %', () => {
    expect(choresDue([{ ...quiet, modifiedSinceAnalyze: 1_051 }])).toEqual([
      { table: 'orders', vacuum: false, analyze: true, reason: '1051 changed > 1050' },
    ]);
  });

  it('does both in one chore when both are due, and says why', () => {
    const [chore] = choresDue([{ ...quiet, deadTuples: 5_000, modifiedSinceAnalyze: 5_000 }]);
    expect(chore).toEqual({
      table: 'orders',
      vacuum: true,
      analyze: true,
      reason: '5000 dead rows > 2050, 5000 changed > 1050',
    });
  });

  it("uses the server's thresholds when it sets its own", () => {
    const strict = { ...DEFAULT_AUTOVACUUM_SETTINGS, vacuumThreshold: 0, vacuumScaleFactor: 0.01 };
    expect(choresDue([{ ...quiet, deadTuples: 101 }], strict)).toHaveLength(1);
    expect(choresDue([{ ...quiet, deadTuples: 100 }], strict)).toEqual([]);
  });

  it('treats an empty new table by the fixed thresholds alone', () => {
    expect(choresDue([{ ...quiet, liveTuples: 0, deadTuples: 51 }])).toHaveLength(1);
    expect(choresDue([{ ...quiet, liveTuples: -1, deadTuples: 50 }])).toEqual([]);
  });
});
