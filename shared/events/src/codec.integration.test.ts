import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadStackConfig } from '@atlas/config';
import { DependencyUnavailableError, MalformedEventError } from '@atlas/errors';
import { avroBodyOf, createEventCodec } from './codec.ts';
import { createEvent } from './create-event.ts';
import { registerSchemas } from './register.ts';
import type { RegisteredEventSchema } from './register.ts';
import { PAYLOAD_FIXTURES, TEST_CONTEXT } from './testing/index.ts';

const registryUrl = loadStackConfig().schemaRegistry.url;
const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
// A schema registered only to provoke "not an Atlas event"; deleted afterwards.
const foreignSubject = `atlas.test.events.${String(Date.now())}-dev.atlas.test.Foreign`;

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('event schemas in the real registry', () => {
  let first: RegisteredEventSchema[];

  beforeAll(async () => {
    first = await registerSchemas({ registryUrl });
  });

  afterAll(async () => {
    for (const permanent of ['', '?permanent=true']) {
      await fetch(`${registryUrl}/subjects/${encodeURIComponent(foreignSubject)}${permanent}`, {
        method: 'DELETE',
      });
    }
  });

  it('registers every event schema and gets the same ids when run again', async () => {
    const again = await registerSchemas({ registryUrl });

    expect(first).toHaveLength(19);
    expect(again).toEqual(first);
  });

  it('leaves every subject at BACKWARD compatibility', async () => {
    for (const { subject } of first) {
      const response = await fetch(`${registryUrl}/config/${encodeURIComponent(subject)}`);
      const body = (await response.json()) as { compatibilityLevel: string };
      expect({ subject, level: body.compatibilityLevel }).toEqual({ subject, level: 'BACKWARD' });
    }
  });

  it('encodes an OrderPlaced in the Confluent wire format and decodes it back', async () => {
    const codec = createEventCodec({ registryUrl });
    const event = createEvent('OrderPlaced', PAYLOAD_FIXTURES.OrderPlaced, TEST_CONTEXT);
    const id = first.find((entry) => entry.eventType === 'OrderPlaced')?.id;

    const encoded = await codec.encode(event);
    const decoded = await codec.decode(encoded);

    expect(encoded.readUInt8(0)).toBe(0);
    expect(encoded.readUInt32BE(1)).toBe(id);
    expect(decoded).toEqual(event);
    expect(Object.isFrozen(decoded.payload)).toBe(true);
  });

  it('frames an Avro body made at staging time into the same bytes encode makes', async () => {
    const codec = createEventCodec({ registryUrl });
    const event = createEvent('OrderPlaced', PAYLOAD_FIXTURES.OrderPlaced, TEST_CONTEXT);

    expect(await codec.frame('OrderPlaced', avroBodyOf(event))).toEqual(await codec.encode(event));
  });

  it('round-trips a nullable field', async () => {
    const codec = createEventCodec({ registryUrl });
    const event = createEvent(
      'ApprovalGranted',
      { ...PAYLOAD_FIXTURES.ApprovalGranted, comment: 'fine' },
      TEST_CONTEXT,
    );

    expect(await codec.decode(await codec.encode(event))).toEqual(event);
  });

  describe('when the bytes are not an Atlas event', () => {
    const codec = createEventCodec({ registryUrl });

    it('rejects garbage as malformed', async () => {
      const error = await rejectionOf(codec.decode(Buffer.from('not avro at all')));
      expect(error).toBeInstanceOf(MalformedEventError);
    });

    it('rejects an unknown schema id as malformed', async () => {
      const error = await rejectionOf(codec.decode(Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 2])));
      expect(error).toBeInstanceOf(MalformedEventError);
    });

    it('rejects a truncated body as malformed', async () => {
      const event = createEvent('OrderPlaced', PAYLOAD_FIXTURES.OrderPlaced, TEST_CONTEXT);
      const encoded = await codec.encode(event);

      const error = await rejectionOf(codec.decode(encoded.subarray(0, encoded.length - 4)));

      expect(error).toBeInstanceOf(MalformedEventError);
      expect(error).toHaveProperty('retriable', false);
    });

    it('rejects a record of a schema that is no Atlas event', async () => {
      const schema = { type: 'record', name: 'Foreign', namespace: 'dev.atlas.test', fields: [] };
      const response = await fetch(
        `${registryUrl}/subjects/${encodeURIComponent(foreignSubject)}/versions`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
          body: JSON.stringify({ schema: JSON.stringify(schema) }),
        },
      );
      const { id } = (await response.json()) as { id: number };
      const value = Buffer.alloc(6);
      value.writeUInt32BE(id, 1);

      const error = await rejectionOf(codec.decode(value));

      expect(error).toBeInstanceOf(MalformedEventError);
    });
  });

  describe('when the registry cannot be reached', () => {
    const codec = createEventCodec({ registryUrl: 'http://127.0.0.1:1/apis/ccompat/v7' });

    it('fails encode and decode with a retriable DependencyUnavailableError', async () => {
      const event = createEvent('OrderConfirmed', PAYLOAD_FIXTURES.OrderConfirmed, TEST_CONTEXT);

      const encodeError = await rejectionOf(codec.encode(event));
      const decodeError = await rejectionOf(codec.decode(Buffer.from([0, 0, 0, 0, 1, 2])));

      expect(encodeError).toBeInstanceOf(DependencyUnavailableError);
      expect(decodeError).toBeInstanceOf(DependencyUnavailableError);
      expect(encodeError).toHaveProperty('retriable', true);
    });
  });

  describe('when the registry drops connections while it warms up', () => {
    // A TCP hop in front of the real registry that hangs up on the first `drops` connections, as
    // a registry that has just opened its port can on a busy machine.
    async function droppingFront(drops: number): Promise<{ url: string; close: () => void }> {
      const upstream = new URL(registryUrl);
      let seen = 0;
      const open = new Set<Socket>();
      const server = createServer((client) => {
        seen += 1;
        open.add(client);
        if (seen <= drops) {
          client.destroy();
          return;
        }
        const onward = createConnection({ host: upstream.hostname, port: Number(upstream.port) });
        open.add(onward);
        client.on('error', () => onward.destroy());
        onward.on('error', () => client.destroy());
        client.pipe(onward).pipe(client);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const url = new URL(registryUrl);
      url.port = String(port);
      return {
        url: url.toString().replace(/\/$/, ''),
        close: () => {
          server.close();
          for (const socket of open) socket.destroy();
        },
      };
    }

    it('tries again and registers the same ids as a clean run', async () => {
      const front = await droppingFront(3);
      try {
        const registered = await registerSchemas({
          registryUrl: front.url,
          eventTypes: ['OrderPlaced', 'OrderConfirmed'],
        });

        expect(registered).toEqual(
          first.filter(({ eventType }) => ['OrderPlaced', 'OrderConfirmed'].includes(eventType)),
        );
      } finally {
        front.close();
      }
    });

    it('gives up with a retriable DependencyUnavailableError once its patience is spent', async () => {
      const front = await droppingFront(Number.POSITIVE_INFINITY);
      try {
        const began = Date.now();
        const error = await rejectionOf(
          registerSchemas({ registryUrl: front.url, eventTypes: ['OrderPlaced'], patienceMs: 800 }),
        );

        expect(error).toBeInstanceOf(DependencyUnavailableError);
        expect(Date.now() - began).toBeLessThan(5_000);
      } finally {
        front.close();
      }
    });
  });

  describe('when the consumer cannot load its own reader schema', () => {
    it('fails retriably (a fault of the process), never as a malformed event to dead-letter', async () => {
      // Prepare: a valid event, and a process whose run-time files are somewhere empty, as a
      // function shipped without its schemas would be.
      const codec = createEventCodec({ registryUrl });
      const value = await codec.encode(
        createEvent('OrderPlaced', PAYLOAD_FIXTURES.OrderPlaced, TEST_CONTEXT),
      );
      const empty = mkdtempSync(join(tmpdir(), 'atlas-no-schemas-'));
      const script = `
        import { createEventCodec } from '@atlas/events';
        const codec = createEventCodec({ registryUrl: ${JSON.stringify(registryUrl)} });
        try {
          await codec.decode(Buffer.from(${JSON.stringify(value.toString('base64'))}, 'base64'));
          console.log(JSON.stringify({ decoded: true }));
        } catch (error) {
          console.log(JSON.stringify({ code: error.code, retriable: error.retriable }));
        }`;

      // Act
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
        cwd: REPO,
        env: { ...process.env, ATLAS_REPO_ROOT: empty },
      });

      // Assess
      expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({
        code: 'ATLAS_INTERNAL',
        retriable: true,
      });
      rmSync(empty, { recursive: true, force: true });
    });
  });
});
