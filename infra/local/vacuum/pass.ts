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
 * Paces this session's VACUUM and ANALYZE as the server paces its autovacuum workers
 * (`autovacuum_vacuum_cost_delay`, `autovacuum_vacuum_cost_limit`, -1 meaning
 * `vacuum_cost_limit`): a manual VACUUM runs unthrottled by default, and would take its CPU and
 * I/O in one burst, in the middle of whatever load the stack is under.
 */
export async function paceLikeAutovacuum(sql: Sql): Promise<void> {
  await sql`
    select set_config('vacuum_cost_delay', current_setting('autovacuum_vacuum_cost_delay'), false),
           set_config('vacuum_cost_limit',
             case when current_setting('autovacuum_vacuum_cost_limit') = '-1'
                  then current_setting('vacuum_cost_limit')
                  else current_setting('autovacuum_vacuum_cost_limit') end, false)`;
}

export interface ChoreDone extends Chore {
  readonly durationMs: number;
}

/**
 * One pass over a database: the chores autovacuum would do now, paced as autovacuum paces them
 * and done one table at a time (VACUUM takes no lock that stops reads or writes). The pool must
 * hold one connection, so that the pacing set here is the session the chores run in.
 */
export async function vacuumPass(sql: Sql, logger: Logger): Promise<ChoreDone[]> {
  // Every pass, not once: the pool may have replaced its connection since the last one.
  await paceLikeAutovacuum(sql);
  const chores = choresDue(await tableActivity(sql), await autovacuumSettings(sql));
  const done: ChoreDone[] = [];
  for (const chore of chores) {
    const started = performance.now();
    if (chore.vacuum && chore.analyze) await sql`vacuum (analyze) ${sql(chore.table)}`;
    else if (chore.vacuum) await sql`vacuum ${sql(chore.table)}`;
    else await sql`analyze ${sql(chore.table)}`;
    const durationMs = performance.now() - started;
    logger.info(
      {
        table: chore.table,
        vacuum: chore.vacuum,
        analyze: chore.analyze,
        reason: chore.reason,
        latencyMs: Math.round(durationMs),
        outcome: 'done',
      },
      chore.vacuum ? 'vacuumed' : 'analyzed',
    );
    done.push({ ...chore, durationMs });
  }
  return done;
}
