import type { StackConfig } from '@atlas/config';
import type { Paths } from '../lib/paths.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ComponentContext {
  readonly paths: Paths;
  readonly config: StackConfig;
  readonly env: Env;
}

/** One part of the local stack: how to tell it serves, and how to bring it up when it does not. */
export interface Component {
  readonly name: string;
  /** Where clients reach it, for the status table. */
  readonly address: string;
  /** Every port it binds, checked for conflicts before it starts. */
  readonly ports: readonly number[];
  /** A string its running command line contains, so a recycled pid is never taken for it. */
  readonly marker: string;
  readonly startTimeoutMs: number;
  /** A real request at the protocol level, not a port check. */
  probe(): Promise<boolean>;
  /** Downloads, unpacks and formats what it needs; idempotent and quick when already done. */
  prepare(): Promise<void>;
  /** Starts it; returns the pid to track (the JVM, or the daemon that the system tool started). */
  start(): Promise<number>;
  /** Work after it serves (creating databases, for instance); idempotent. */
  afterReady?(): Promise<void>;
  /** False for a part this configuration does not run (it is still stopped by `down`). Default true. */
  readonly wanted?: boolean;
  /** How to stop a pid of ours; SIGTERM to the process group by default. */
  readonly stopSignal?: NodeJS.Signals;
}
