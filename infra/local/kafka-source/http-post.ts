import { Agent, request } from 'node:http';

/** What a delivery attempt learns: the sink's status and (up to a limit) its answer. */
export interface PostAnswer {
  readonly status: number;
  readonly body: Buffer;
}

/**
 * POSTs one request and resolves with the answer; rejects when no answer came (refused, reset,
 * timed out, aborted). The delivery loop depends on this and nothing else of HTTP.
 */
export type HttpPost = (
  url: string,
  init: {
    readonly headers: Readonly<Record<string, string>>;
    readonly body: Uint8Array;
    /** Aborts the request when the process stops. */
    readonly signal: AbortSignal;
    /** Gives up when the sink sends nothing for this long. */
    readonly timeoutMs: number;
    readonly maxBodyBytes: number;
  },
) => Promise<PostAnswer>;

/**
 * `HttpPost` on Node's HTTP client over kept-alive connections, one pool for every sink. The
 * global `fetch` cost several times the CPU per request (WHATWG streams, two fresh AbortSignals
 * per call), which the delivery process pays on every event of every topic.
 */
export function keepAlivePost(): HttpPost {
  const agent = new Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 });
  return (url, init) =>
    new Promise<PostAnswer>((resolve, reject) => {
      const outgoing = request(
        url,
        {
          method: 'POST',
          agent,
          headers: { ...init.headers, 'content-length': init.body.byteLength },
          signal: init.signal,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          // Read the body in full even on success: an unread body keeps the connection busy.
          response.on('data', (chunk: Buffer) => {
            if (kept >= init.maxBodyBytes) return;
            chunks.push(chunk);
            kept += chunk.length;
          });
          response.once('end', () => {
            resolve({
              status: response.statusCode ?? 0,
              body: Buffer.concat(chunks).subarray(0, init.maxBodyBytes),
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
