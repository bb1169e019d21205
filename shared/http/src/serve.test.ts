import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { createLogger, createMetricsRegistry } from '@atlas/observability';
import { httpFunction, json, serve, type RunningFunction } from './index.ts';

const logger = createLogger({ service: 'test', function: 'serve-test', level: 'silent' });
const registry = createMetricsRegistry({ service: 'test', function: 'serve-test' });
let received = 0;
const echo = httpFunction(
  {
    name: 'echo',
    method: 'POST',
    route: '/v1/echo',
    schemas: { body: z.strictObject({ text: z.string() }) },
    handler: async ({ body }) => {
      received += 1;
      return json(200, body);
    },
  },
  { logger, registry },
);
let running: RunningFunction;
let port: number;

/**
 * Sends `request` as raw bytes and answers everything the server wrote before it closed. A write
 * the server cut short (EPIPE, reset) is what a refused body looks like, so it is not an error.
 */
function raw(request: string | Buffer, endAfterMs = 1_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.write(request, () => undefined);
    setTimeout(() => socket.end(), endAfterMs).unref();
  });
}

function problemOf(response: string): {
  status: number;
  contentType: string;
  body: Record<string, unknown>;
} {
  const [head = '', body = ''] = response.split('\r\n\r\n');
  const status = Number(head.split(' ')[1]);
  const contentType = /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '';
  return { status, contentType, body: JSON.parse(body) as Record<string, unknown> };
}

describe('serve', () => {
  beforeAll(async () => {
    running = await serve({
      name: 'serve-test',
      routes: [{ method: 'POST', route: '/v1/echo', handle: echo }],
      logger,
      registry,
    });
    port = Number(new URL(running.url).port);
  });

  afterAll(async () => running.close());

  describe('when the request target is not an origin-form path', () => {
    it.each([
      ['absolute form', 'http://127.0.0.1:9/v1/echo'],
      ['authority form', '127.0.0.1:9'],
      ['asterisk form', '*'],
      ['scheme-relative path', '//127.0.0.1:9/v1/echo'],
    ])('refuses the %s with a 400 problem and never runs the handler', async (_form, target) => {
      const before = received;
      const response = await raw(
        `POST ${target} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 13\r\n\r\n{"text":"hi"}`,
      );
      const problem = problemOf(response);
      expect(problem.status).toBe(400);
      expect(problem.contentType).toBe('application/problem+json');
      expect(problem.body).toMatchObject({ status: 400, title: expect.any(String) });
      expect(received).toBe(before);
    });
  });

  describe('when the body is encoded', () => {
    it('refuses gzip with a 415 problem instead of inflating it', async () => {
      const gzip = gzipSync(Buffer.from('{"text":"hi"}'));
      const response = await fetch(`${running.url}/v1/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: gzip,
      });
      expect(response.status).toBe(415);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ status: 415 });
    });

    it('refuses plain text that claims to be gzip the same way, without an HTML page', async () => {
      const response = await fetch(`${running.url}/v1/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: 'not gzip at all',
      });
      expect(response.status).toBe(415);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    });
  });

  it.each([
    ['a charset other than UTF-8', 'application/json; charset=latin1', '{"text":"hi"}', 415],
    ['a media type other than JSON', 'text/plain', 'hi', 415],
    ['malformed JSON', 'application/json', '{"text":', 400],
  ])('answers %s with a problem', async (_case, contentType, body, status) => {
    const response = await fetch(`${running.url}/v1/echo`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status });
  });

  it('takes a JSON body declared as UTF-8', async () => {
    const response = await fetch(`${running.url}/v1/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: '{"text":"grüß"}',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ text: 'grüß' });
  });

  describe('when the body is over 1 MiB', () => {
    it('answers 413 to a chunked body as soon as the limit is crossed', async () => {
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const chunks: Buffer[] = [
        Buffer.from(
          'POST /v1/echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n',
        ),
      ];
      // 8 MiB announced in 64 KiB chunks; the server must not wait for (or buffer) all of it.
      for (let index = 0; index < 128; index++)
        chunks.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
      chunks.push(Buffer.from('0\r\n\r\n'));
      const problem = problemOf(await raw(Buffer.concat(chunks), 2_000));
      expect(problem.status).toBe(413);
      expect(problem.contentType).toBe('application/problem+json');
    });

    it('answers 413 to a declared Content-Length over the limit before reading the body', async () => {
      const problem = problemOf(
        await raw(
          'POST /v1/echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 5000000\r\n\r\n{',
        ),
      );
      expect(problem.status).toBe(413);
    });
  });

  it('answers a request the HTTP parser cannot read with a 400 problem', async () => {
    const problem = problemOf(await raw('POST /v1/echo HTTP/1.1\r\nbad header line\r\n\r\n'));
    expect(problem.status).toBe(400);
    expect(problem.contentType).toBe('application/problem+json');
  });

  it('still serves a well-formed request after all that', async () => {
    const response = await fetch(`${running.url}/v1/echo?a=1&a=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"hi"}',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ text: 'hi' });
  });
});
