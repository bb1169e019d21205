import { Agent, request, type IncomingHttpHeaders } from 'node:http';

/** What a function or a delivery learns from the HTTP service it called. */
export interface UpstreamAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body, cut at `maxBodyBytes` (read to its end regardless, so the connection is reused). */
  readonly body: Buffer;
}

export interface UpstreamRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  /** Gives up when the upstream sends nothing for this long. */
  readonly timeoutMs: number;
  /** Aborts the request (the caller is stopping). */
  readonly signal?: AbortSignal;
  readonly maxBodyBytes?: number;
}

/** Sends one request; rejects when no answer came (refused, reset, timed out, aborted). */
export type UpstreamCall = (url: string, init: UpstreamRequest) => Promise<UpstreamAnswer>;

/**
 * An HTTP/1.1 client over kept-alive connections (one pool per client) on Node's own `http`
 * module. The global `fetch` costs several times the CPU per call (WHATWG streams, a fresh
 * AbortSignal per timeout), which the gateway pays on every request and the event delivery on
 * every event.
 */
export function createUpstreamClient(options: { maxSockets?: number } = {}): UpstreamCall {
  const agent = new Agent({
    keepAlive: true,
    maxSockets: options.maxSockets ?? 64,
    maxFreeSockets: options.maxSockets ?? 64,
  });
  return (url, init) =>
    new Promise<UpstreamAnswer>((resolve, reject) => {
      const limit = init.maxBodyBytes ?? Number.POSITIVE_INFINITY;
      const outgoing = request(
        url,
        {
          method: init.method,
          agent,
          headers: { ...init.headers, 'content-length': init.body?.byteLength ?? 0 },
          ...(init.signal ? { signal: init.signal } : {}),
        },
        (response) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          response.on('data', (chunk: Buffer) => {
            if (kept >= limit) return;
            chunks.push(chunk);
            kept += chunk.length;
          });
          response.once('end', () => {
            const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: kept > limit ? body.subarray(0, limit) : body,
            });
          });
          response.once('error', reject);
        },
      );
      outgoing.setTimeout(init.timeoutMs, () => {
        outgoing.destroy(new Error(`no answer within ${init.timeoutMs} ms`));
      });
      outgoing.once('error', reject);
      outgoing.end(init.body);
    });
}
