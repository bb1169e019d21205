import type { Sql } from '@atlas/db';
import type { CpuWindow } from './processes.ts';

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Transactions committed so far in the five service databases (PostgreSQL's own statistics). */
export async function committedTransactions(sql: Sql): Promise<number> {
  // Statistics are flushed about once a second; force ours out so the count is current.
  await sql`select pg_stat_force_next_flush()`.catch(() => undefined);
  const [row] = await sql<{ commits: string }[]>`
    select sum(xact_commit)::text as commits from pg_stat_database
    where datname in ('atlas_order', 'atlas_inventory', 'atlas_billing', 'atlas_workflow', 'atlas_reporting')`;
  return Number(row?.commits ?? 0);
}

/** Where the CPU went in a window, per saga: by group, then the busiest processes. */
export function printCpu(log: (line: string) => void, cpu: CpuWindow, sagas: number): void {
  const perSaga = (ms: number): string => (ms / sagas).toFixed(1);
  const groups = [...cpu.byGroup].sort((a, b) => b[1] - a[1]);
  log(
    `  CPU per saga ${perSaga(cpu.stackMs)} ms over the stack (${groups.map(([group, ms]) => `${group} ${perSaga(ms)}`).join(', ')}); ` +
      `machine ${perSaga(cpu.machineMs)} ms incl. kernel, bench and other tenants; ${perSaga(cpu.tcpSegments)} TCP segments sent`,
  );
  const busiest = [...cpu.byProcess].sort((a, b) => b[1] - a[1]).slice(0, 8);
  log(`  busiest: ${busiest.map(([name, ms]) => `${name} ${perSaga(ms)}`).join(', ')}`);
}
