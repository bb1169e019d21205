import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commandHelp, generalHelp, parseCommandLine } from './args.ts';
import { HANDLERS, type Context } from './commands.ts';
import { EXIT, exitCodeForError, UsageError, type ExitCode } from './exit.ts';
import { gateway } from './http.ts';
import { colourWanted, style, type Writable } from './output.ts';

/**
 * The `atlas` operator CLI (docs/cli.md): reads the command line, runs the command, answers its
 * exit code. Everything it prints goes through `io`, so tests can run it in-process as well.
 */
export interface Io {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const processIo: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env };

export async function runCli(argv: readonly string[], io: Io = processIo): Promise<ExitCode> {
  const err = (text: string): void => {
    io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  };
  let parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(`atlas: ${error.message}`);
    return EXIT.usage;
  }
  if ('topic' in parsed || !('command' in parsed)) {
    const text = parsed.topic ? commandHelp(parsed.topic) : generalHelp();
    if (parsed.asked) io.stdout.write(text);
    else io.stderr.write(text);
    return parsed.asked ? EXIT.ok : EXIT.usage;
  }
  const handler = HANDLERS[parsed.command.name];
  // args.test.ts holds every parsed command to a handler; this only guards a broken build.
  if (!handler) throw new Error(`atlas: no handler for the command ${parsed.command.name}`);
  let interrupt: () => void = () => undefined;
  const interrupted = new Promise<void>((resolve) => {
    interrupt = resolve;
  });
  // The first Ctrl-C asks a long command (check --watch, redrive) to stop after its step; the
  // second ends the process.
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    interrupt();
  };
  process.on('SIGINT', onSignal);
  const context: Context = {
    invocation: parsed,
    stdout: io.stdout,
    stderr: io.stderr,
    env: io.env,
    style: style(colourWanted(io.stdout.isTTY, io.env, parsed.noColor)),
    gateway: () => gateway(io.env),
    interrupted,
  };
  try {
    return await handler(context);
  } catch (error) {
    const code = exitCodeForError(error);
    const message = error instanceof Error ? error.message : String(error);
    err(code === EXIT.usage ? `atlas: ${message}` : message);
    if (
      code === EXIT.problems &&
      !(error instanceof Error && 'exitCode' in error) &&
      io.env['ATLAS_DEBUG']
    )
      err(String((error as Error).stack));
    return code;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  process.exitCode = await runCli(process.argv.slice(2));
}
