import { setTimeout as sleep } from 'node:timers/promises';
import { keeperState } from '../../local/functions.ts';
import { down, stackContext, up } from '../../local/stack.ts';

/** One fault a drill strikes the running system with, while orders flow. */
export interface Fault {
  readonly name: string;
  /** What the fault does, for the results table. */
  readonly does: string;
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

/** Every fault `npm run drill` runs, one scenario each. */
export const FAULTS: readonly Fault[] = [
  killProcess('fn-order-saga-orchestrator'),
  killProcess('fn-order-outbox-relay'),
  killProcess('fn-inventory-reservations'),
  killProcess('fn-billing-invoicing'),
  killProcess('fn-gateway-gateway'),
  killProcess('kafka-source'),
  restartBroker,
];
