import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createLogger } from './index.ts';

function capture(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('writes JSON lines with the function identity and the correlation fields of a child', async () => {
    const { lines, stream } = capture();
    const logger = createLogger({ service: 'order', function: 'place-order', destination: stream });

    logger
      .child({ correlationId: 'c-1', causationId: 'e-0', eventId: 'e-1' })
      .info({ outcome: 'ok', latencyMs: 3 }, 'done');
    await new Promise((resolve) => setImmediate(resolve));

    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'order',
      function: 'place-order',
      correlationId: 'c-1',
      causationId: 'e-0',
      eventId: 'e-1',
      outcome: 'ok',
      latencyMs: 3,
      msg: 'done',
    });
  });

  it('redacts tokens and passwords that slip into a log line', async () => {
    const { lines, stream } = capture();
    const logger = createLogger({ service: 'gateway', function: 'gateway', destination: stream });

    logger.info(
      {
        headers: { authorization: 'Bearer eyJsecret' },
        paymentMethod: { type: 'card', token: 'tok_visa' },
      },
      'in',
    );
    await new Promise((resolve) => setImmediate(resolve));

    expect(JSON.stringify(lines[0])).not.toContain('eyJsecret');
    expect(JSON.stringify(lines[0])).not.toContain('tok_visa');
  });
});
