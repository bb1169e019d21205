import type { UpstreamCall } from '@atlas/http';
import type { ReplayRequest } from './replay.ts';

/** Knative keeps 1 KiB of a failed answer; so does a replay that reports one. */
export const ANSWER_LIMIT = 1024;

/** How a consumer answered a replayed event: its status (0 = no answer) and the start of its body. */
export interface ConsumerAnswer {
  readonly status: number;
  readonly body: string;
}

/** POSTs a dead letter's CloudEvent to its consumer once, as the KafkaSource would. */
export async function deliverToConsumer(
  send: UpstreamCall,
  target: string,
  request: ReplayRequest,
  timeoutMs: number,
): Promise<ConsumerAnswer> {
  try {
    const answer = await send(target, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      timeoutMs,
      maxBodyBytes: ANSWER_LIMIT,
    });
    return { status: answer.status, body: answer.body.toString('utf8') };
  } catch (error) {
    // No answer at all (refused, reset, timed out), which Knative records as code 0.
    return { status: 0, body: error instanceof Error ? error.message : 'no answer' };
  }
}

export const accepted = (answer: ConsumerAnswer): boolean =>
  answer.status >= 200 && answer.status < 300;
