import { describe, expect, it } from '@jest/globals';
import type { HttpCloudEvent } from './cloudevent.ts';
import { deliverWithRetry, type DeliverOptions } from './deliver.ts';
import type { UpstreamCall } from '@atlas/http/upstream';
import { DELIVERY_POLICY, guaranteedRetryWindowMs } from '@atlas/catalog';
import { backoffDelay, isRetriableStatus } from './retry.ts';

const event: HttpCloudEvent = { headers: { 'ce-id': 'e-1' }, body: Buffer.from('x'), id: 'e-1' };

function scripted(answers: readonly (number | Error)[]): {
  post: UpstreamCall;
  calls: () => number;
} {
  let calls = 0;
  const post: UpstreamCall = async () => {
    const answer = answers[Math.min(calls, answers.length - 1)] ?? 500;
    calls++;
    if (answer instanceof Error) throw answer;
    return { status: answer, headers: {}, body: Buffer.from(`answer ${answer}`) };
  };
  return { post, calls: () => calls };
}

function options(post: UpstreamCall, extra: Partial<DeliverOptions> = {}) {
  let heartbeats = 0;
  const settings: DeliverOptions = {
    url: 'http://127.0.0.1:1/',
    event,
    retries: 5,
    backoffMs: 1,
    timeoutMs: 1_000,
    post,
    signal: new AbortController().signal,
    heartbeat: async () => {
      heartbeats++;
    },
    ...extra,
  };
  return { settings, heartbeats: () => heartbeats };
}

describe('deliverWithRetry', () => {
  it('retries a 503 and a 429 and reports the delivery on the third attempt', async () => {
    const sink = scripted([503, 429, 202]);
    const { settings, heartbeats } = options(sink.post);

    const result = await deliverWithRetry(settings);

    expect(result).toEqual({ outcome: 'delivered', attempts: 3, status: 202 });
    expect(heartbeats()).toBeGreaterThanOrEqual(2);
  });

  it.each([400, 401, 403, 413, 415, 422])('gives up at once on a %i', async (status) => {
    const sink = scripted([status]);
    const result = await deliverWithRetry(options(sink.post).settings);
    expect(result).toMatchObject({ outcome: 'rejected', attempts: 1, status });
    expect(sink.calls()).toBe(1);
  });

  it('stops after 5 retries (6 attempts) with the last status and body', async () => {
    const sink = scripted([500]);
    const retries: number[] = [];
    const { settings } = options(sink.post, { onRetry: (retry) => retries.push(retry) });

    const result = await deliverWithRetry(settings);

    expect(result).toMatchObject({ outcome: 'exhausted', attempts: 6, status: 500 });
    expect(result.outcome !== 'delivered' && result.body.toString()).toBe('answer 500');
    expect(retries).toEqual([1, 2, 3, 4, 5]);
  });

  it('counts a request that got no answer as retriable, with status 0', async () => {
    const sink = scripted([new TypeError('fetch failed'), 200]);
    const result = await deliverWithRetry(options(sink.post).settings);
    expect(result).toEqual({ outcome: 'delivered', attempts: 2, status: 200 });

    const down = scripted([new TypeError('fetch failed')]);
    const failed = await deliverWithRetry(options(down.post, { retries: 1 }).settings);
    expect(failed).toMatchObject({ outcome: 'exhausted', attempts: 2, status: 0 });
  });

  it('rejects instead of dead-lettering when the process stops mid-retry', async () => {
    const aborter = new AbortController();
    const sink = scripted([500]);
    const { settings } = options(sink.post, {
      signal: aborter.signal,
      backoffMs: 60_000,
      onRetry: () => aborter.abort(new Error('stopping')),
    });
    await expect(deliverWithRetry(settings)).rejects.toThrow('stopping');
  });
});

describe('the retry policy', () => {
  it('retries what Knative retries', () => {
    expect([500, 502, 503, 404, 408, 409, 429].every(isRetriableStatus)).toBe(true);
    expect([400, 401, 403, 413, 415, 422].some(isRetriableStatus)).toBe(false);
  });

  it('draws each delay from the upper half of base·2^(retry-1)', () => {
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelay(200, retry, () => 0.999_999))).toEqual([
      199, 399, 799, 1599, 3199,
    ]);
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelay(200, retry, () => 0))).toEqual([
      100, 200, 400, 800, 1600,
    ]);
  });

  it("rides out a two-minute outage on its shortest schedule, within the contract's 5 retries", () => {
    const shortest = [1, 2, 3, 4, 5].reduce(
      (sum, retry) => sum + backoffDelay(DELIVERY_POLICY.backoffDelayMs, retry, () => 0),
      0,
    );
    expect(DELIVERY_POLICY.retries).toBeLessThanOrEqual(5);
    expect(shortest).toBeGreaterThan(120_000);
    expect(guaranteedRetryWindowMs()).toBe(shortest);
  });
});
