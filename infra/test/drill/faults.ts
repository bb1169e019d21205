import { setTimeout as sleep } from 'node:timers/promises';
import { faultProxyConfig } from '../../local/fault-proxy/config.ts';
import { keeperState } from '../../local/functions.ts';
import { loadDeliveryConfig } from '../../local/kafka-source/config.ts';
import { down, stackContext, up } from '../../local/stack.ts';

/** One fault a drill strikes the running system with, while orders flow. */
export interface Fault {
  readonly name: string;
  /** What the fault does, for the results table. */
  readonly does: string;
  /**
   * How long the fault keeps the system impaired after it struck; the drill's load runs that
   * much longer, so a scenario still places its orders outside the outage too.
   */
  readonly lastsSeconds?: number;
  /** The process the fault kills on purpose: its one restart is not a crash. */
  readonly kills?: string;
  /** Why the fault cannot strike the system as it runs now, if it cannot (checked before the load). */
  unavailable?(): Promise<string | undefined>;
  strike(): Promise<void>;
}

/** The pid of a function process now, from its keeper's account. */
function processPid(name: string): number {
  const state = keeperState(stackContext().paths.run, name);
  if (!state?.childPid) throw new Error(`${name} is not running: nothing to kill`);
  return state.childPid;
}

/** `kill -9` of one function process; its keeper starts it again, as Kubernetes would. */
export function killProcess(name: string): Fault {
  return {
    name: `kill -9 ${name}`,
    does: `SIGKILL to ${name}; the keeper restarts it`,
    kills: name,
    strike: () => {
      process.kill(processPid(name), 'SIGKILL');
      return Promise.resolve();
    },
  };
}

/** The broker stopped and started again (its data kept), as a rolling restart would. */
export const restartBroker: Fault = {
  name: 'Kafka broker restart',
  does: 'SIGTERM to the broker, start it again once it is down',
  async strike() {
    const context = stackContext();
    await down(context, new Set(['kafka']));
    await sleep(2_000);
    await up(context);
  },
};

async function postControl(url: string): Promise<void> {
  const response = await fetch(url, { method: 'POST' });
  if (!response.ok)
    throw new Error(`POST ${url} answered ${response.status}: ${await response.text()}`);
}

/**
 * PostgreSQL or Redis down for the functions, through the fault proxy they reach it by (the
 * machine's own server keeps running): open connections cut, new ones refused for `seconds`.
 */
export function dependencyDown(target: 'postgres' | 'redis', seconds: number, name: string): Fault {
  const control = (): string => {
    const context = stackContext();
    return `http://127.0.0.1:${faultProxyConfig(context.config, { ...context.env, ATLAS_FAULT_PROXY: 'on' }).controlPort}`;
  };
  return {
    name,
    does: `the fault proxy cuts every ${target} connection and refuses new ones for ${seconds} s`,
    lastsSeconds: seconds,
    // A proxy nobody connects through would make the drill pass without a fault.
    async unavailable() {
      const states = await fetch(`${control()}/faults`)
        .then((response) => response.json() as Promise<{ name: string; connections: number }[]>)
        .catch(() => undefined);
      const connections = states?.find((state) => state.name === target)?.connections ?? 0;
      return connections > 0
        ? undefined
        : `the functions do not reach ${target} through the fault proxy: start the system with ATLAS_FAULT_PROXY=on npm start`;
    },
    strike: () => postControl(`${control()}/faults/${target}?seconds=${seconds}`),
  };
}

/** For `seconds`, the KafkaSource delivers some records twice and holds some back (chaos.ts). */
export function chaoticDelivery(seconds: number): Fault {
  return {
    name: 'duplicated and reordered deliveries',
    does: `for ${seconds} s, 30 % of records delivered twice (up to 2 s later) and 30 % held back up to 2 s, so topics overtake one another`,
    lastsSeconds: seconds,
    strike: () =>
      postControl(
        `http://127.0.0.1:${loadDeliveryConfig().port}/chaos?seconds=${seconds}&duplicateRate=0.3&delayRate=0.3&maxDelayMs=2000`,
      ),
  };
}

/** Every fault `npm run drill` runs, one scenario each. */
export const FAULTS: readonly Fault[] = [
  killProcess('fn-order-saga-orchestrator'),
  killProcess('fn-order-outbox-relay'),
  killProcess('fn-inventory-reservations'),
  killProcess('fn-billing-invoicing'),
  killProcess('fn-gateway-gateway'),
  killProcess('kafka-source'),
  restartBroker,
  dependencyDown('redis', 30, 'Redis down 30 s'),
  // A fast restart: connections cut, the server back within seconds.
  dependencyDown('postgres', 5, 'PostgreSQL restart'),
  chaoticDelivery(15),
];
