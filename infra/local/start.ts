import type { ComponentContext } from './components/component.ts';
import { up, type ComponentStatus } from './stack.ts';

/**
 * What `npm start` does, in order. Each step is idempotent, so `npm start` on a running system
 * only fills in what is missing. Later parts of the system add their steps here.
 */
export interface StartStep {
  readonly title: string;
  /** Resolves to a one-line summary of what it did, for the start-up report. */
  run(context: ComponentContext): Promise<string | undefined>;
}

export interface StartReport {
  readonly stack: ComponentStatus[];
  readonly steps: { title: string; detail?: string; ms: number }[];
}

export async function startSystem(
  context: ComponentContext,
  extraSteps: readonly StartStep[] = [],
): Promise<StartReport> {
  const stack = await up(context);
  const steps: StartReport['steps'] = [];
  for (const step of extraSteps) {
    const began = Date.now();
    const detail = await step.run(context);
    steps.push({ title: step.title, ...(detail ? { detail } : {}), ms: Date.now() - began });
  }
  return { stack, steps };
}
