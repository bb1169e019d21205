import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { availableParallelism, cpus, loadavg } from 'node:os';
import autocannon from 'autocannon';
import { fetchToken } from '@atlas/auth/testing';
import type { ServerMessage } from './http-server.ts';
import { ms, summarise, type LatencySummary } from './http-latency.ts';

/**
 * `npm run bench:http`: what the middleware chain (observe, metrics, Keycloak auth, zod, Redis
 * idempotency) costs per request over a bare route on the same `serve()`. Not a test: it prints a
 * summary and, as its last line, one JSON object. BENCH_WARMUP_S / BENCH_DURATION_S override the
 * phase lengths; BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the server process there.
 */
const WARMUP_S = Number(process.env['BENCH_WARMUP_S'] ?? 3);
const DURATION_S = Number(process.env['BENCH_DURATION_S'] ?? 10);
const CONCURRENCIES = [1, 10] as const;
const TARGET_P99_OVERHEAD_MS = 2;
const BODY = JSON.stringify({ sku: 'SKU-BENCH-0001', quantity: 3 });

type Variant = 'bare' | 'full';

interface Measurement {
  readonly variant: Variant;
  readonly connections: number;
  readonly reqPerSec: number;
  readonly latency: LatencySummary;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
}

function startServer(): Promise<{
  child: ChildProcess;
  ready: Extract<ServerMessage, { kind: 'ready' }>;
}> {
  const profileDir = process.env['BENCH_CPU_PROF'];
  const child = fork(new URL('./http-server.ts', import.meta.url), {
    execArgv: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server exited early (${code})`)));
    child.once('message', (message: ServerMessage) => {
      if (message.kind === 'ready') resolve({ child, ready: message });
    });
  });
}

function stopServer(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('message', (message: ServerMessage) => {
      if (message.kind === 'stopped') resolve(message.idempotencyKeys);
    });
    child.once('exit', (code) =>
      reject(new Error(`bench server exited before cleaning up (${code})`)),
    );
    child.send('stop');
  });
}

/** One fixed-duration run; every request carries a fresh Idempotency-Key, so the full route never replays. */
function run(
  url: string,
  token: string,
  connections: number,
  seconds: number,
): Promise<{ result: autocannon.Result; latencies: number[] }> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: seconds,
        pipelining: 1,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: BODY,
        requests: [
          {
            setupRequest: (request) => ({
              ...request,
              headers: { ...request.headers, 'idempotency-key': randomUUID() },
            }),
          },
        ],
      },
      (error: unknown, result) => {
        if (error)
          reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }));
        else resolve({ result, latencies });
      },
    );
    // The instance's own histogram truncates to whole milliseconds; keep the exact times.
    instance.on('response', (_client, status, _bytes, responseTime) => {
      if (status >= 200 && status < 300) latencies.push(responseTime);
    });
  });
}

/**
 * Both variants at one concurrency: warm-up each, then measured halves in A-B-B-A order, so a
 * neighbour's load that drifts during the run (this machine is shared) falls on both alike.
 */
async function measurePair(
  base: string,
  paths: Readonly<Record<Variant, string>>,
  token: string,
  connections: number,
): Promise<Measurement[]> {
  const variants = ['bare', 'full'] as const;
  for (const variant of variants)
    await run(`${base}${paths[variant]}`, token, connections, WARMUP_S);
  const empty = () => ({ latencies: [] as number[], requests: 0, non2xx: 0, errors: 0 });
  const totals = { bare: empty(), full: empty() };
  for (const variant of ['bare', 'full', 'full', 'bare'] as const) {
    const { result, latencies } = await run(
      `${base}${paths[variant]}`,
      token,
      connections,
      DURATION_S / 2,
    );
    const total = totals[variant];
    for (const latency of latencies) total.latencies.push(latency);
    total.requests += result.requests.total;
    total.non2xx += result.non2xx;
    total.errors += result.errors + result.timeouts;
  }
  return variants.map((variant) => ({
    variant,
    connections,
    reqPerSec: Math.round(totals[variant].requests / DURATION_S),
    latency: summarise(totals[variant].latencies),
    requests: totals[variant].requests,
    non2xx: totals[variant].non2xx,
    errors: totals[variant].errors,
  }));
}

function line(m: Measurement): string {
  const l = m.latency;
  return `  ${m.variant.padEnd(4)} c=${String(m.connections).padEnd(3)} ${String(m.reqPerSec).padStart(6)} req/s   p50 ${ms(l.p50).toFixed(3)} ms   p90 ${ms(l.p90).toFixed(3)} ms   p99 ${ms(l.p99).toFixed(3)} ms   max ${ms(l.max).toFixed(1)} ms   (${l.samples} samples)`;
}

async function main(): Promise<number> {
  const began = Date.now();
  const loadBefore = loadavg();
  const { accessToken } = await fetchToken('ops');
  if (!accessToken)
    throw new Error('Keycloak gave no token for ops: is the stack up (npm run infra -- status)?');
  const { child, ready } = await startServer();
  const measurements: Measurement[] = [];
  let idempotencyKeys: number;
  try {
    for (const connections of CONCURRENCIES) {
      for (const m of await measurePair(ready.url, ready, accessToken, connections)) {
        console.log(line(m));
        measurements.push(m);
      }
    }
  } finally {
    idempotencyKeys = await stopServer(child);
  }
  const broken = measurements.filter((m) => m.non2xx > 0 || m.errors > 0);

  const at = (variant: Variant, connections: number): Measurement => {
    const found = measurements.find((m) => m.variant === variant && m.connections === connections);
    if (!found) throw new Error(`no ${variant} run at ${connections} connections`);
    return found;
  };
  const overhead = (connections: number) => ({
    p50: ms(at('full', connections).latency.p50 - at('bare', connections).latency.p50),
    p99: ms(at('full', connections).latency.p99 - at('bare', connections).latency.p99),
  });
  const c1 = overhead(1);
  const c10 = overhead(10);
  const perConcurrency = Object.fromEntries(
    CONCURRENCIES.map((connections) => [
      `c${connections}`,
      Object.fromEntries(
        (['bare', 'full'] as const).map((variant) => {
          const m = at(variant, connections);
          return [
            variant,
            {
              p50Ms: ms(m.latency.p50),
              p90Ms: ms(m.latency.p90),
              p99Ms: ms(m.latency.p99),
              reqPerSec: m.reqPerSec,
              samples: m.latency.samples,
              non2xx: m.non2xx,
              errors: m.errors,
            },
          ];
        }),
      ),
    ]),
  );

  console.log('');
  console.log(
    `overhead of the full chain, c=1 : p50 +${c1.p50.toFixed(3)} ms, p99 +${c1.p99.toFixed(3)} ms`,
  );
  console.log(
    `overhead of the full chain, c=10: p50 +${c10.p50.toFixed(3)} ms, p99 +${c10.p99.toFixed(3)} ms`,
  );
  console.log(
    `p99 overhead target < ${TARGET_P99_OVERHEAD_MS} ms at c=1: ${c1.p99 < TARGET_P99_OVERHEAD_MS ? 'met' : 'MISSED'}`,
  );
  console.log(`idempotency keys written and deleted: ${idempotencyKeys}`);
  for (const m of broken)
    console.log(`ERROR: ${m.variant} c=${m.connections}: ${m.non2xx} non-2xx, ${m.errors} errors`);

  const cpu = cpus();
  console.log(
    JSON.stringify({
      benchmark: 'http-middleware-chain',
      p99OverheadMs: c1.p99,
      p50OverheadMs: c1.p50,
      overheadAt: 'c1',
      overheadC10: { p50Ms: c10.p50, p99Ms: c10.p99 },
      targetP99OverheadMs: TARGET_P99_OVERHEAD_MS,
      targetMet: c1.p99 < TARGET_P99_OVERHEAD_MS,
      ...perConcurrency,
      warmupS: WARMUP_S,
      durationS: DURATION_S,
      idempotencyKeysCleaned: idempotencyKeys,
      node: process.version,
      cpus: availableParallelism(),
      cpuModel: cpu[0]?.model ?? 'unknown',
      loadavg: loadavg().map((value) => Math.round(value * 100) / 100),
      loadavgBefore: loadBefore.map((value) => Math.round(value * 100) / 100),
      elapsedS: Math.round((Date.now() - began) / 100) / 10,
      date: new Date().toISOString(),
    }),
  );
  return broken.length > 0 ? 1 : 0;
}

process.exitCode = await main();
