import { createServer } from 'node:http';
import { loadStackConfig } from '@atlas/config';
import { createLogger } from '@atlas/observability';
import { faultProxyConfig } from './config.ts';
import { startFaultProxy, UnknownTargetError } from './proxy.ts';

// The local fault proxy: `node infra/local/fault-proxy/main.ts`. Forwards the functions'
// PostgreSQL and Redis connections; `POST /faults/<target>?seconds=N` takes one down for N s.
const logger = createLogger({ service: 'infra', function: 'fault-proxy' });
const config = faultProxyConfig(loadStackConfig(), process.env);
const proxy = await startFaultProxy([config.postgres, config.redis]);

const MAX_DOWN_SECONDS = 600;

/** The control API: what a request asks, answered as a status and a JSON body. */
function control(method: string | undefined, url: URL): [number, unknown] {
  if (method === 'GET' && url.pathname === '/health') return [200, {}];
  if (method === 'GET' && url.pathname === '/faults') return [200, proxy.states()];
  const target = /^\/faults\/([a-z]+)$/.exec(url.pathname)?.[1];
  if (method !== 'POST' || target === undefined)
    return [404, { error: 'GET /faults, POST /faults/<target>?seconds=N' }];
  const seconds = Number(url.searchParams.get('seconds'));
  if (!(seconds > 0 && seconds <= MAX_DOWN_SECONDS))
    return [400, { error: `seconds must be in (0, ${MAX_DOWN_SECONDS}]` }];
  try {
    const state = proxy.takeDown(target, seconds);
    logger.warn({ target, seconds, outcome: 'down' }, 'target taken down');
    return [200, state];
  } catch (error) {
    if (error instanceof UnknownTargetError) return [404, { error: error.message }];
    throw error;
  }
}

const server = createServer((request, response) => {
  request.resume();
  const [status, body] = control(request.method, new URL(request.url ?? '/', 'http://127.0.0.1'));
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
});
server.listen(config.controlPort, '127.0.0.1', () => {
  logger.info(
    { port: config.controlPort, targets: proxy.states() },
    'forwarding PostgreSQL and Redis',
  );
});

async function shutdown(signal: string): Promise<void> {
  logger.info({ signal }, 'stopping');
  server.close();
  await proxy.close();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
