import { spawn } from 'node:child_process';

export interface RunResult {
  readonly status: number | null;
  readonly output: string;
  readonly missing: boolean;
}

/**
 * Runs a command to completion without blocking the event loop (parts of the stack are prepared
 * in parallel, and a blocked loop makes the others' readiness probes time out). Never rejects:
 * `missing` says the command was not found, `status` and `output` say the rest.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ status: null, output: error.message, missing: error.code === 'ENOENT' }),
    );
    child.once('close', (status) =>
      resolve({ status, output: Buffer.concat(chunks).toString('utf8'), missing: false }),
    );
  });
}
