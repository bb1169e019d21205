/**
 * Which tables PostgreSQL's autovacuum would vacuum or analyze now, by its own documented rules
 * (routine vacuuming, "The Autovacuum Daemon"), so the local stack can do the same on a server
 * that runs with `autovacuum = off`. Pure: the caller reads the statistics and the settings.
 */

/** One table's counters from `pg_stat_user_tables`. */
export interface TableActivity {
  readonly table: string;
  /** Estimated live rows; autovacuum scales its thresholds by the table's size. */
  readonly liveTuples: number;
  readonly deadTuples: number;
  readonly modifiedSinceAnalyze: number;
  readonly insertedSinceVacuum: number;
}

/** The server's `autovacuum_*` thresholds and scale factors (`pg_settings`). */
export interface AutovacuumSettings {
  readonly vacuumThreshold: number;
  readonly vacuumScaleFactor: number;
  readonly insertThreshold: number;
  readonly insertScaleFactor: number;
  readonly analyzeThreshold: number;
  readonly analyzeScaleFactor: number;
}

/** PostgreSQL 15's defaults, for a setting the server does not report. */
export const DEFAULT_AUTOVACUUM_SETTINGS: AutovacuumSettings = {
  vacuumThreshold: 50,
  vacuumScaleFactor: 0.2,
  insertThreshold: 1_000,
  insertScaleFactor: 0.2,
  analyzeThreshold: 50,
  analyzeScaleFactor: 0.1,
};

export interface Chore {
  readonly table: string;
  /** VACUUM (with ANALYZE when `analyze` is also due); else ANALYZE alone. */
  readonly vacuum: boolean;
  readonly analyze: boolean;
  /** Why, for the log line: the counter that crossed its threshold. */
  readonly reason: string;
}

/**
 * The chores due: a VACUUM when the dead rows exceed `threshold + scale × live rows`, or the rows
 * inserted since the last vacuum exceed the insert threshold (which keeps an insert-only table's
 * visibility map current); an ANALYZE when the rows changed since the last one exceed theirs.
 */
export function choresDue(
  tables: readonly TableActivity[],
  settings: AutovacuumSettings = DEFAULT_AUTOVACUUM_SETTINGS,
): Chore[] {
  const chores: Chore[] = [];
  for (const activity of tables) {
    const live = Math.max(0, activity.liveTuples);
    const deadLimit = settings.vacuumThreshold + settings.vacuumScaleFactor * live;
    const insertLimit = settings.insertThreshold + settings.insertScaleFactor * live;
    const analyzeLimit = settings.analyzeThreshold + settings.analyzeScaleFactor * live;
    const reasons: string[] = [];
    if (activity.deadTuples > deadLimit)
      reasons.push(`${activity.deadTuples} dead rows > ${Math.round(deadLimit)}`);
    if (activity.insertedSinceVacuum > insertLimit)
      reasons.push(`${activity.insertedSinceVacuum} inserted > ${Math.round(insertLimit)}`);
    const vacuum = reasons.length > 0;
    const analyze = activity.modifiedSinceAnalyze > analyzeLimit;
    if (analyze)
      reasons.push(`${activity.modifiedSinceAnalyze} changed > ${Math.round(analyzeLimit)}`);
    if (vacuum || analyze)
      chores.push({ table: activity.table, vacuum, analyze, reason: reasons.join(', ') });
  }
  return chores;
}
