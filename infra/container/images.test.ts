import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadPaymentWebhookSecret } from '@atlas/config';
import { loadCatalog } from '@atlas/catalog';
import { buildImageContexts, SETUP_IMAGE, type ImageContext } from './context.ts';

// Each function's image holds its bundle and the run-time files, nothing else (ADR-0040). No
// container engine runs here, so the test does what the image would: it starts every function
// from its context folder alone, as /app, against the running local stack, and waits for /ready.
const OUT = join(tmpdir(), `atlas-image-contexts-${String(process.pid)}`);
const READY_WITHIN_MS = 60_000;
let contexts: ImageContext[] = [];
let functions: ImageContext[] = [];
const started: ChildProcess[] = [];

/** An image's environment: no repository, no source, the stack's defaults for addresses. */
function imageEnv(context: ImageContext): NodeJS.ProcessEnv {
  const { PATH, HOME } = process.env;
  return {
    ...(PATH ? { PATH } : {}),
    ...(HOME ? { HOME } : {}),
    NODE_ENV: 'production',
    ATLAS_REPO_ROOT: context.directory,
  };
}

/** Starts a context's `main.mjs` on an ephemeral port; resolves with its URL from the start log. */
function startFromContext(context: ImageContext): Promise<{ url: string; log: string[] }> {
  const child = spawn(process.execPath, ['main.mjs'], {
    cwd: context.directory,
    env: {
      ...imageEnv(context),
      PORT: '0',
      ATLAS_PAYMENT_WEBHOOK_SECRET: loadPaymentWebhookSecret(),
      OTEL_TRACES_EXPORTER: 'none',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const log: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${context.spec.name} did not start:\n${log.join('')}`));
    }, READY_WITHIN_MS);
    const read = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      log.push(text);
      const url = /"url":"(http:\/\/[^"]+)"/.exec(text)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ url, log });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${context.spec.name} exited (${String(code)}):\n${log.join('')}`));
    });
  });
}

async function readyStatus(url: string): Promise<number> {
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    const status = await fetch(`${url}/ready`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200 || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('the function images', () => {
  beforeAll(async () => {
    contexts = await buildImageContexts(OUT);
    functions = contexts.filter((context) => context.spec.name !== SETUP_IMAGE);
  }, 60_000);

  afterAll(() => {
    for (const child of started) child.kill('SIGTERM');
  });

  it('hold a bundle and the run-time files only: no source, no node_modules', () => {
    const catalog = loadCatalog();
    expect(functions.map((context) => context.spec.name)).toEqual(
      catalog.map((entry) => entry.qualifiedName),
    );
    for (const context of functions) {
      expect(readdirSync(context.directory).sort()).toEqual(['functions', 'main.mjs', 'schemas']);
      for (const entry of catalog)
        expect(
          readdirSync(join(context.directory, 'functions', entry.service, entry.name)),
        ).toEqual(['function.json']);
      // A few MB each; the base image adds Node itself.
      expect(context.bytes).toBeLessThan(8 * 1024 * 1024);
    }
  });

  it('give the set-up image the migrations besides, and it brings the running system up to date', async () => {
    const setup = contexts.find((context) => context.spec.name === SETUP_IMAGE);
    expect(setup && readdirSync(setup.directory).sort()).toEqual([
      'functions',
      'main.mjs',
      'schemas',
      'shared',
    ]);
    if (!setup) return;
    expect(
      readdirSync(join(setup.directory, 'functions', 'order', 'migrations')).length,
    ).toBeGreaterThan(0);

    const run = spawnSync(process.execPath, ['main.mjs'], {
      cwd: setup.directory,
      env: imageEnv(setup),
      encoding: 'utf8',
    });

    // The registry client's url.parse() deprecation warning is the only line it may print there.
    expect({ status: run.status, stderr: run.stderr.includes('setup failed') }).toEqual({
      status: 0,
      stderr: false,
    });
    expect(run.stdout).toContain('setup: order: 0 migration(s) applied');
    expect(run.stdout).toContain('setup: 19 event schemas registered');
  });

  it('each start alone from its image folder and answer /ready against the running system', async () => {
    const answers: Record<string, number> = {};
    // Four at a time: 35 Node processes at once would starve the stack on two cores.
    for (let index = 0; index < functions.length; index += 4) {
      await Promise.all(
        functions.slice(index, index + 4).map(async (context) => {
          const { url } = await startFromContext(context);
          answers[context.spec.name] = await readyStatus(url);
        }),
      );
      for (const child of started.splice(0)) child.kill('SIGTERM');
    }
    expect(answers).toEqual(
      Object.fromEntries(functions.map((context) => [context.spec.name, 200])),
    );
  }, 300_000);
});
