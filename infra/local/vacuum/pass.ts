import type { Sql } from '@atlas/db';
import type { Logger } from '@atlas/observability';
import {
  choresDue,
  DEFAULT_AUTOVACUUM_SETTINGS,
  type AutovacuumSettings,
  type Chore,
  type TableActivity,
} from './policy.ts';

/** Whether the server runs its own autovacuum (then there is nothing for the stack to do). */
export async function serverAutovacuumOn(sql: Sql): Promise<boolean> {
  const [row] = await sql<{ autovacuum: string }[]>`show autovacuum`;
  return row?.autovacuum === 'on';
}

const SETTING_NAMES: Record<string, keyof AutovacuumSettings> = {
  autovacuum_vacuum_threshold: 'vacuumThreshold',
  autovacuum_vacuum_scale_factor: 'vacuumScaleFactor',
  autovacuum_vacuum_insert_threshold: 'insertThreshold',
  autovacuum_vacuum_insert_scale_factor: 'insertScaleFactor',
  autovacuum_analyze_threshold: 'analyzeThreshold',
  autovacuum_analyze_scale_factor: 'analyzeScaleFactor',
};

/** The server's thresholds: the ones its autovacuum would use, were it on. */
export async function autovacuumSettings(sql: Sql): Promise<AutovacuumSettings> {
  const rows = await sql<{ name: string; setting: string }[]>`
    select name, setting from pg_settings where name = any(${Object.keys(SETTING_NAMES)})`;
  const settings: Record<keyof AutovacuumSettings, number> = { ...DEFAULT_AUTOVACUUM_SETTINGS };
  for (const row of rows) {
    const key = SETTING_NAMES[row.name];
    const value = Number(row.setting);
    // -1 disables the insert-driven vacuum; keep the default rather than vacuum on every pass.
    if (key !== undefined && Number.isFinite(value) && value >= 0) settings[key] = value;
  }
  return settings;
}

/** This database's tables and their counters since their last vacuum and analyze. */
export async function tableActivity(sql: Sql): Promise<TableActivity[]> {
  const rows = await sql<
    { table: string; live: string; dead: string; modified: string; inserted: string }[]
  >`
    select relname as table, n_live_tup::text as live, n_dead_tup::text as dead,
           n_mod_since_analyze::text as modified, n_ins_since_vacuum::text as inserted
    from pg_stat_user_tables where schemaname = 'public'`;
  return rows.map((row) => ({
    table: row.table,
    liveTuples: Number(row.live),
    deadTuples: Number(row.dead),
    modifiedSinceAnalyze: Number(row.modified),
    insertedSinceVacuum: Number(row.inserted),
  }));
}

/**
 * How long a chore may wait for its table's lock, and how long it may run. Autovacuum stays out of
 * others' way (a worker that blocks another session's lock request is cancelled); a manual VACUUM
 * does not, so the keeper bounds both: a table someone holds locked (a projection rebuild, a
 * migration) is skipped until the next pass, and no chore holds its lock longer than this limit.
 */
export const CHORE_LIMITS = { lockTimeout: '1s', statementTimeout: '10s' } as const;

/** Applies {@link CHORE_LIMITS} to the session the chores run in. */
export async function boundChores(sql: Sql): Promise<void> {
  await sql`
    select set_config('lock_timeout', ${CHORE_LIMITS.lockTimeout}, false),
           set_config('statement_timeout', ${CHORE_LIMITS.statementTimeout}, false)`;
}

/** PostgreSQL's codes for a lock not granted in time and a statement cancelled by its timeout. */
const SKIPPED_CODES = new Set(['55P03', '57014']);

export interface ChoreDone extends Chore {
  /** `skipped`: the table was locked by another session, or the chore ran past its limit. */
  readonly outcome: 'done' | 'skipped';
  readonly durationMs: number;
}

/**
 * One pass over a database: the chores autovacuum would do now, one table at a time, each bounded
 * by {@link CHORE_LIMITS} (VACUUM takes no lock that stops reads or writes, but DDL and explicit
 * table locks wait for it). The pool must hold one connection, so that the limits set here bind
 * the session the chores run in.
 */
export async function vacuumPass(sql: Sql, logger: Logger): Promise<ChoreDone[]> {
  // Every pass, not once: the pool may have replaced its connection since the last one.
  await boundChores(sql);
  const chores = choresDue(await tableActivity(sql), await autovacuumSettings(sql));
  const done: ChoreDone[] = [];
  for (const chore of chores) {
    const started = performance.now();
    let outcome: ChoreDone['outcome'] = 'done';
    try {
      if (chore.vacuum && chore.analyze) await sql`vacuum (analyze) ${sql(chore.table)}`;
      else if (chore.vacuum) await sql`vacuum ${sql(chore.table)}`;
      else await sql`analyze ${sql(chore.table)}`;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'string' || !SKIPPED_CODES.has(code)) throw error;
      outcome = 'skipped';
    }
    const durationMs = performance.now() - started;
    const line = {
      table: chore.table,
      vacuum: chore.vacuum,
      analyze: chore.analyze,
      reason: chore.reason,
      latencyMs: Math.round(durationMs),
      outcome,
    };
    if (outcome === 'skipped')
      logger.warn(line, 'skipped: the table was locked elsewhere or the chore ran past its limit');
    else logger.info(line, chore.vacuum ? 'vacuumed' : 'analyzed');
    done.push({ ...chore, outcome, durationMs });
  }
  return done;
}
