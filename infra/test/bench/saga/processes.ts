import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { keeperState } from '../../../local/functions.ts';

/** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux this project targets. */
const TICKS_PER_SECOND = 100;

/** A process of the running system, grouped the way the report breaks CPU down. */
export interface StackProcess {
  readonly pid: number;
  /** `fn-order-saga-orchestrator`, `kafka`, `postgres`, … */
  readonly name: string;
  readonly group: ProcessGroup;
}

export type ProcessGroup =
  | 'functions'
  | 'relays'
  | 'kafka-source'
  | 'vacuum'
  | 'kafka'
  | 'registry'
  | 'keycloak'
  | 'zipkin'
  | 'postgres'
  | 'redis';

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function groupOf(component: string): ProcessGroup | undefined {
  if (component.endsWith('-outbox-relay')) return 'relays';
  if (component.startsWith('fn-')) return 'functions';
  if (component === 'kafka-source') return 'kafka-source';
  if (component === 'vacuum') return 'vacuum';
  if (component === 'kafka') return 'kafka';
  if (component === 'schema-registry') return 'registry';
  if (component === 'keycloak') return 'keycloak';
  if (component === 'zipkin') return 'zipkin';
  return undefined;
}

function commandName(pid: number): string | undefined {
  return readText(`/proc/${pid}/comm`)?.trim();
}

/**
 * Every process the stack runs on this machine: the ones `npm start` launched (pid files under
 * the state directory), plus the machine's PostgreSQL (postmaster, its workers and every backend)
 * and Redis, found by command name.
 */
export function stackProcesses(runDir: string): StackProcess[] {
  const found: StackProcess[] = [];
  for (const file of readdirSync(runDir)) {
    if (!file.endsWith('.pid')) continue;
    const name = file.slice(0, -'.pid'.length);
    const group = groupOf(name);
    // A function's pid file names its keeper (a shell); the keeper's state names the process.
    const pid = keeperState(runDir, name)?.childPid ?? Number(readText(join(runDir, file))?.trim());
    if (group && Number.isInteger(pid) && readText(`/proc/${pid}/stat`) !== undefined)
      found.push({ pid, name, group });
  }
  for (const pid of pidsOf('postgres')) found.push({ pid, name: 'postgres', group: 'postgres' });
  for (const pid of pidsOf('redis-server')) found.push({ pid, name: 'redis', group: 'redis' });
  return found;
}

/** Every process on the machine running this command (`/proc/<pid>/comm`). */
export function pidsOf(command: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (Number.isInteger(pid) && commandName(pid) === command) pids.push(pid);
  }
  return pids;
}

/** User + system CPU of one process so far, in milliseconds; undefined once it is gone. */
export function cpuMsOf(pid: number): number | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name may hold spaces and parentheses: fields are counted after its closing ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

/** The process's peak resident set so far (VmHWM), in MiB. */
export function peakRssMbOf(pid: number): number | undefined {
  const status = readText(`/proc/${pid}/status`);
  const match = status?.match(/^VmHWM:\s+(\d+) kB/m);
  return match ? Number(match[1]) / 1024 : undefined;
}

/** Busy CPU of the whole machine so far (every core, every process, kernel included), in ms. */
export function machineBusyMs(): number {
  const line = readText('/proc/stat')?.split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  const ticks = [user, nice, system, irq, softirq, steal].reduce<number>(
    (sum, value) => sum + (value ?? 0),
    0,
  );
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/**
 * TCP segments this machine has sent so far (`OutSegs` of /proc/net/snmp). Every hop of the stack
 * is loopback TCP, so over a window it counts the messages the saga costs: each one a write, a
 * wake-up and a read, which on this virtual machine is most of a small request's CPU.
 */
export function tcpSegmentsSent(): number {
  const lines = readText('/proc/net/snmp')?.split('\n') ?? [];
  const [names, values] = lines.filter((line) => line.startsWith('Tcp:'));
  const index = names?.split(/\s+/).indexOf('OutSegs') ?? -1;
  return index < 0 ? 0 : Number(values?.split(/\s+/)[index] ?? 0);
}

export interface CpuWindow {
  /** CPU ms per process over the window, keyed by name (postgres and redis processes summed). */
  readonly byProcess: ReadonlyMap<string, number>;
  readonly byGroup: ReadonlyMap<ProcessGroup, number>;
  /** Every stack process together. */
  readonly stackMs: number;
  /** The whole machine, kernel and other tenants included. */
  readonly machineMs: number;
  /** TCP segments sent on the machine over the window (bench and other tenants included). */
  readonly tcpSegments: number;
  readonly wallMs: number;
}

export interface CpuSampler {
  /** Ends the window. A process that ended inside it counts up to its last reading. */
  stop(): CpuWindow;
}

/**
 * Starts a CPU window over the stack's processes: their CPU time now, again at `stop()`. A
 * process that appears during the window (a PostgreSQL backend a pool opened, a restarted
 * function) counts with all its CPU, which it spent inside the window.
 */
export function startCpuWindow(runDir: string): CpuSampler {
  const processes = stackProcesses(runDir);
  const started = performance.now();
  const machineAtStart = machineBusyMs();
  const segmentsAtStart = tcpSegmentsSent();
  const before = new Map(processes.map((entry) => [entry.pid, cpuMsOf(entry.pid) ?? 0]));
  const last = new Map(before);
  // A backend or function may exit mid-window: keep its last reading instead of losing it.
  const poll = setInterval(() => {
    for (const entry of processes) {
      const now = cpuMsOf(entry.pid);
      if (now !== undefined) last.set(entry.pid, now);
    }
  }, 1_000);
  poll.unref();
  return {
    stop() {
      clearInterval(poll);
      const known = new Set(processes.map((entry) => entry.pid));
      for (const entry of stackProcesses(runDir)) {
        if (known.has(entry.pid)) continue;
        processes.push(entry);
        before.set(entry.pid, 0);
      }
      const byProcess = new Map<string, number>();
      const byGroup = new Map<ProcessGroup, number>();
      let stackMs = 0;
      for (const entry of processes) {
        const end = cpuMsOf(entry.pid) ?? last.get(entry.pid) ?? 0;
        const used = Math.max(0, end - (before.get(entry.pid) ?? 0));
        byProcess.set(entry.name, (byProcess.get(entry.name) ?? 0) + used);
        byGroup.set(entry.group, (byGroup.get(entry.group) ?? 0) + used);
        stackMs += used;
      }
      return {
        byProcess,
        byGroup,
        stackMs,
        machineMs: machineBusyMs() - machineAtStart,
        tcpSegments: tcpSegmentsSent() - segmentsAtStart,
        wallMs: performance.now() - started,
      };
    },
  };
}
